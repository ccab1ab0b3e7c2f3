import type { MigrationObject } from '@mikro-orm/core';
import { Migration20260301000000_initial } from './Migration20260301000000_initial.js';
import { Migration20261212000000_example_dicom } from './Migration20261212000000_example_dicom.js';

/** Committed migrations in order; new ones are appended, never edited once released. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20260301000000_initial', class: Migration20260301000000_initial },
  { name: 'Migration20261212000000_example_dicom', class: Migration20261212000000_example_dicom },
];
