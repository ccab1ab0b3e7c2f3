import type { MigrationObject } from '@mikro-orm/core';
import { Migration20250601000000_initial } from './Migration20250601000000_initial.js';

/** Committed migrations, oldest first. Never generated at start-up. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20250601000000_initial', class: Migration20250601000000_initial },
];
