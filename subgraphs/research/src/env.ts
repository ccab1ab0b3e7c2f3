import { authEnvShape, trustedIssuersFromEnv, type TrustedIssuer } from '@triage/auth';
import { envFields, loadEnvOrExit, parseEnv, telemetryEnvShape, telemetryFromEnv, z, type TelemetryConfig } from '@triage/config';

const MB = 1024 * 1024;

export const envSchema = z.object({
  PORT: envFields.port(4003),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: envFields.url().default('postgres://postgres@127.0.0.1:5432/research'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-" only')
    .default(''),
  /** Messages the consumer may hold unacknowledged: caps in-flight work. */
  NATS_MAX_ACK_PENDING: z.coerce.number().int().min(1).max(10_000).default(64),
  /** First redelivery delay after a transient failure (doubles per delivery, capped at 60 s). */
  NATS_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  ...authEnvShape,
  ...telemetryEnvShape,
  LOG_LEVEL: envFields.logLevel(),
  GRAPHQL_INTROSPECTION: envFields.boolean(false),
  /** Largest ONNX file POST /models accepts. */
  MAX_MODEL_BYTES: z.coerce.number().int().min(1024).max(2_000 * MB).default(50 * MB),
});

export type ResearchEnv = z.infer<typeof envSchema>;

export interface ResearchConfig {
  http: { host: string; port: number; introspection: boolean };
  databaseUrl: string;
  nats: { url: string; namespace: string; maxAckPending: number; retryDelayMs: number };
  auth: { issuers: TrustedIssuer[] };
  models: { maxBytes: number };
  logLevel: ResearchEnv['LOG_LEVEL'];
  telemetry: TelemetryConfig;
}

export function configFromEnv(env: ResearchEnv): ResearchConfig {
  return {
    http: { host: env.HOST, port: env.PORT, introspection: env.GRAPHQL_INTROSPECTION },
    databaseUrl: env.DATABASE_URL,
    nats: {
      url: env.NATS_URL,
      namespace: env.NATS_NAMESPACE,
      maxAckPending: env.NATS_MAX_ACK_PENDING,
      retryDelayMs: env.NATS_RETRY_DELAY_MS,
    },
    auth: { issuers: trustedIssuersFromEnv(env) },
    models: { maxBytes: env.MAX_MODEL_BYTES },
    logLevel: env.LOG_LEVEL,
    telemetry: telemetryFromEnv(env),
  };
}

/** Throws a ConfigError listing every problem (tests, CLI). */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): ResearchConfig {
  return configFromEnv(parseEnv(envSchema, env));
}

/** For process start: prints every problem and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): ResearchConfig {
  return configFromEnv(loadEnvOrExit(envSchema, env));
}
