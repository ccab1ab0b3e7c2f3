import { DEFAULT_AUDIENCE } from '@triage/auth';
import { envFields, loadEnvOrExit, parseEnv, telemetryEnvShape, telemetryFromEnv, z } from '@triage/config';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export const directoryEnvSchema = z
  .object({
    PORT: envFields.port(4001),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: envFields.url().default('postgres://postgres@127.0.0.1:5432/directory'),
    /** Public base URL of this issuer: the `iss` claim and the base of the JWKS URL. */
    ISSUER_URL: envFields.url().default('http://127.0.0.1:4001'),
    TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    NATS_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, 'must be a valid NATS subject token')
      .default(''),
    LOG_LEVEL: envFields.logLevel(),
    ...telemetryEnvShape,
    GRAPHQL_INTROSPECTION: envFields.boolean(false),
    /** Password for the demo users the seed creates; random per user when unset. */
    DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters (the minimum createUser accepts)').optional(),
  })
  .transform((env) => ({
    http: { host: env.HOST, port: env.PORT },
    databaseUrl: env.DATABASE_URL,
    issuer: {
      url: trimSlash(env.ISSUER_URL),
      audience: DEFAULT_AUDIENCE,
      tokenTtlSeconds: env.TOKEN_TTL_SECONDS,
    },
    nats: { url: env.NATS_URL, namespace: env.NATS_NAMESPACE },
    logLevel: env.LOG_LEVEL,
    telemetry: telemetryFromEnv(env),
    graphql: { introspection: env.GRAPHQL_INTROSPECTION },
    demoPassword: env.DEMO_PASSWORD,
  }));

export type DirectoryConfig = z.infer<typeof directoryEnvSchema>;

/** Throws a ConfigError listing every problem; for tests and the CLI. */
export function parseDirectoryConfig(env: NodeJS.ProcessEnv = process.env): DirectoryConfig {
  return parseEnv(directoryEnvSchema, env);
}

/** For main.ts: prints every problem and exits 1. */
export function loadDirectoryConfig(env: NodeJS.ProcessEnv = process.env): DirectoryConfig {
  return loadEnvOrExit(directoryEnvSchema, env);
}
