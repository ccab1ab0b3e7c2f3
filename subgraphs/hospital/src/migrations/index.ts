import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000000_initial } from './Migration20261128000000_initial.js';
import { Migration20261201000000_image_ingest } from './Migration20261201000000_image_ingest.js';
import { Migration20261210000000_review } from './Migration20261210000000_review.js';
import { Migration20261211000000_deidentification_job } from './Migration20261211000000_deidentification_job.js';
import { Migration20261212000000_study_prediction } from './Migration20261212000000_study_prediction.js';
import { Migration20261213000000_trace_context } from './Migration20261213000000_trace_context.js';

/** Committed migrations in the order they apply. Append; never edit an applied one. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261128000000_initial', class: Migration20261128000000_initial },
  { name: 'Migration20261201000000_image_ingest', class: Migration20261201000000_image_ingest },
  { name: 'Migration20261210000000_review', class: Migration20261210000000_review },
  { name: 'Migration20261211000000_deidentification_job', class: Migration20261211000000_deidentification_job },
  { name: 'Migration20261212000000_study_prediction', class: Migration20261212000000_study_prediction },
  { name: 'Migration20261213000000_trace_context', class: Migration20261213000000_trace_context },
];
