import os from 'node:os';
import { envFields, loadEnvOrExit, parseEnv, telemetryEnvShape, telemetryFromEnv, z } from '@triage/config';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const workerEnvSchema = z.object({
  PORT: envFields.port(4200),
  HOST: z.string().default('127.0.0.1'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_NAMESPACE: z.string().default(''),
  WORKER_CONSUMER: z.string().regex(/^[A-Za-z0-9_-]+$/).default('inference-worker'),
  WORKER_MAX_BATCH: positiveInt(16),
  WORKER_MAX_WAIT_MS: positiveInt(10),
  WORKER_MAX_IN_FLIGHT: positiveInt(64),
  WORKER_MAX_DELIVERIES: positiveInt(5),
  WORKER_ACK_WAIT_MS: positiveInt(30_000),
  /** Images being read and preprocessed at once: enough to keep every preprocessing thread fed while the model runs. */
  WORKER_PREPROCESS_CONCURRENCY: positiveInt(Math.max(4, 4 * os.availableParallelism())),
  /** onnxruntime threads per inference call: 1, because the preprocessing threads use the other cores. */
  WORKER_INTRA_OP_THREADS: positiveInt(1),
  /** Worker threads that decode and reduce images (0 = on the event-loop thread). */
  WORKER_PREPROCESS_THREADS: z.coerce.number().int().min(0).default(os.availableParallelism()),
  LOG_LEVEL: envFields.logLevel(),
  ...telemetryEnvShape,
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function workerConfig(env: WorkerEnv) {
  return {
    http: { port: env.PORT, host: env.HOST },
    nats: { url: env.NATS_URL, namespace: env.NATS_NAMESPACE },
    consumer: {
      name: env.WORKER_CONSUMER,
      maxInFlight: env.WORKER_MAX_IN_FLIGHT,
      maxDeliveries: env.WORKER_MAX_DELIVERIES,
      ackWaitMs: env.WORKER_ACK_WAIT_MS,
    },
    batching: { maxBatch: env.WORKER_MAX_BATCH, maxWaitMs: env.WORKER_MAX_WAIT_MS },
    preprocessConcurrency: env.WORKER_PREPROCESS_CONCURRENCY,
    intraOpThreads: env.WORKER_INTRA_OP_THREADS,
    preprocessThreads: env.WORKER_PREPROCESS_THREADS,
    logLevel: env.LOG_LEVEL,
    telemetry: telemetryFromEnv(env),
  };
}

export type WorkerConfig = ReturnType<typeof workerConfig>;
export const loadWorkerConfig = (env = process.env) => workerConfig(loadEnvOrExit(workerEnvSchema, env));
export const parseWorkerConfig = (env: NodeJS.ProcessEnv) => workerConfig(parseEnv(workerEnvSchema, env));
