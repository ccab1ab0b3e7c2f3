import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createWorkerMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'inference-worker' });
  collectDefaultMetrics({ register: registry });
  const seconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    registry,
    processed: new Counter({
      name: 'inference_studies_processed_total',
      help: 'Studies scored, by model version and predicted label',
      labelNames: ['model_version', 'label', 'role'] as const,
      registers: [registry],
    }),
    failed: new Counter({
      name: 'inference_failures_total',
      help: 'Failed attempts by kind (transient = retried, dead_letter = given up, shadow = the candidate failed to score, shadow_input_mismatch = it takes another image geometry)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'inference_batch_size',
      help: 'Studies per inference batch',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    }),
    queueSeconds: new Histogram({
      name: 'inference_queue_seconds',
      help: 'Time from the study event being stored to its batch starting',
      buckets: seconds,
      registers: [registry],
    }),
    preprocessSeconds: new Histogram({
      name: 'inference_preprocess_seconds',
      help: 'Image read + preprocessing time per study',
      buckets: seconds,
      registers: [registry],
    }),
    inferenceSeconds: new Histogram({
      name: 'inference_model_seconds',
      help: 'Model run time per batch, by model version',
      labelNames: ['model_version'] as const,
      buckets: seconds,
      registers: [registry],
    }),
    consumerPending: new Gauge({
      name: 'inference_consumer_pending_messages',
      help: 'Messages in the stream not yet delivered to the worker (consumer lag)',
      registers: [registry],
    }),
    consumerAckPending: new Gauge({
      name: 'inference_consumer_ack_pending_messages',
      help: 'Messages delivered but not yet acknowledged',
      registers: [registry],
    }),
    redelivered: new Gauge({
      name: 'inference_consumer_redelivered_messages',
      help: 'Messages redelivered at least once (consumer info)',
      registers: [registry],
    }),
    risk: new Histogram({
      name: 'inference_prediction_risk',
      help: 'Predicted pneumonia risk, by model version and role (active|shadow)',
      labelNames: ['model_version', 'role'] as const,
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers: [registry],
    }),
    deadLetters: new Gauge({
      name: 'inference_dead_letter_messages',
      help: 'Messages in the dead-letter stream (DLQ depth)',
      registers: [registry],
    }),
    modelSwaps: new Counter({
      name: 'inference_model_swaps_total',
      help: 'Active model changes picked up from the registry',
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
