import type { PredictionCreatedV1, StudyReviewedV1 } from '@triage/contracts';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ProjectionResult } from './triage-projection.js';

export interface TriageMetrics {
  /** A prediction event was applied and its update published. */
  predictionProjected(event: PredictionCreatedV1, result: ProjectionResult): void;
  /** A review event was applied and its update published. */
  reviewProjected(event: StudyReviewedV1, result: ProjectionResult): void;
}

/** Stage 2 of the pipeline (per hospital), the end-to-end latency SLO and doctor-vs-model agreement. */
export function createTriageMetrics(registry: Registry): TriageMetrics {
  const stored = new Counter({
    name: 'triage_predictions_stored_total',
    help: 'Active (non-shadow) predictions stored on the worklist',
    labelNames: ['hospital_id', 'model_version', 'label'],
    registers: [registry],
  });
  const endToEnd = new Histogram({
    name: 'triage_end_to_end_seconds',
    help: 'Study image stored -> its prediction is on the worklist and triage.updated is published',
    labelNames: ['hospital_id'],
    // The latency SLO reads le="60".
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const agreement = new Counter({
    name: 'triage_review_agreement_total',
    help: "Doctor findings compared with the active prediction's label (agree|disagree|uncertain)",
    labelNames: ['model_version', 'agreement'],
    registers: [registry],
  });
  return {
    predictionProjected(event, result) {
      if (!result.newLivePrediction) return;
      stored.inc({ hospital_id: event.hospitalId, model_version: event.modelVersion, label: event.label });
      const seconds = (Date.now() - result.newLivePrediction.studyReceivedAt.getTime()) / 1000;
      endToEnd.observe({ hospital_id: event.hospitalId }, Math.max(0, seconds));
    },
    reviewProjected(event, result) {
      const prediction = result.reviewedPrediction;
      if (!prediction) return;
      const verdict =
        event.finding === 'uncertain'
          ? 'uncertain'
          : event.finding === prediction.label
            ? 'agree'
            : 'disagree';
      agreement.inc({ model_version: prediction.modelVersion, agreement: verdict });
    },
  };
}
