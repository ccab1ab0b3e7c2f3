import type { MigrationObject } from '@mikro-orm/core';
import { Migration20250601000000_initial } from './Migration20250601000000_initial.js';
import { Migration20261128000000_projection_functions } from './Migration20261128000000_projection_functions.js';

/** Committed migrations in order; new ones are appended, never edited once released. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20250601000000_initial', class: Migration20250601000000_initial },
  { name: 'Migration20261128000000_projection_functions', class: Migration20261128000000_projection_functions },
];
