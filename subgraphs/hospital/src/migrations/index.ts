import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000000_initial } from './Migration20261128000000_initial.js';
import { Migration20261201000000_image_ingest } from './Migration20261201000000_image_ingest.js';

/** Committed migrations in the order they apply. Append; never edit an applied one. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261128000000_initial', class: Migration20261128000000_initial },
  { name: 'Migration20261201000000_image_ingest', class: Migration20261201000000_image_ingest },
];
