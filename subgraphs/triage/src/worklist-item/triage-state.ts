import { TriageStatus } from '@triage/contracts';
import { registerEnumType } from 'type-graphql';

export { TriageStatus };

/** The GraphQL enum is the contracts' enum, so events and schema cannot drift apart. */
export const TriageStatusEnum = TriageStatus.enum;
registerEnumType(TriageStatusEnum, {
  name: 'TriageStatus',
  description: 'Where a study is in the triage pipeline',
  valuesConfig: {
    AWAITING_IMAGE: { description: 'Registered without pixels yet' },
    AWAITING_PREDICTION: { description: 'Image stored, waiting for the model' },
    WAITING: { description: 'Has a risk; waiting for a doctor' },
    REVIEWED: { description: 'A doctor recorded a finding' },
  },
});

// How statuses advance and how risk becomes priority: the database functions of migration
// projection_functions (triage_advance_status, triage_apply_prediction_created).
