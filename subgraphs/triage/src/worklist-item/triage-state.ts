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

const STATUS_RANK: Record<TriageStatus, number> = {
  AWAITING_IMAGE: 0,
  AWAITING_PREDICTION: 1,
  WAITING: 2,
  REVIEWED: 3,
};

/**
 * Events can arrive out of order (a prediction before its study, a redelivery after a newer
 * event), so a status only ever moves forward.
 */
export function advanceStatus(current: TriageStatus | undefined, next: TriageStatus): TriageStatus {
  if (!current) return next;
  return STATUS_RANK[next] > STATUS_RANK[current] ? next : current;
}

/** Worklist priority from a model risk in [0, 1]; items without a prediction have priority 0. */
export function priorityFromRisk(risk: number | null | undefined): number {
  return risk == null ? 0 : Math.round(risk * 1000);
}
