import { authEnvShape, trustedIssuersFromEnv, type TrustedIssuer } from '@triage/auth';
import { envFields, loadEnvOrExit, parseEnv, telemetryEnvShape, telemetryFromEnv, z } from '@triage/config';

/** NATS subject tokens: the namespace and hospital id end up inside subjects and stream names. */
const natsToken = /^[A-Za-z0-9_-]*$/;

const MIB = 1024 * 1024;
/**
 * Outside production only, when DEID_SECRET is unset: pseudonyms and UID mappings then use this
 * published key, so they are NOT secret (the server warns at start). Production requires DEID_SECRET.
 */
export const DEVELOPMENT_DEID_SECRET = 'development-only-deid-secret-do-not-use-in-production';
/** Uploads are held in memory while they are checked, and sizes are stored as 32-bit integers. */
const MAX_UPLOAD_BYTES_CEILING = 1024 * MIB;

export const envSchema = z
  .object({
    HOSPITAL_ID: z.string().uuid('must be the hospital uuid from the directory'),
    HOSPITAL_SLUG: z.string().regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes'),
    PORT: envFields.port(4101),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: envFields.url(),
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    NATS_NAMESPACE: z.string().regex(natsToken, 'must be letters, digits, "_" or "-"').default(''),
    ...authEnvShape,
    ...telemetryEnvShape,
    LOG_LEVEL: envFields.logLevel(),
    GRAPHQL_INTROSPECTION: envFields.boolean(false),
    PUBLIC_GATEWAY_URL: envFields.url().default('http://127.0.0.1:4000'),
    MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(MAX_UPLOAD_BYTES_CEILING, 'must be at most 1 GiB').default(64 * MIB),
    MAX_IMAGE_PIXELS: z.coerce.number().int().min(1).max(1_000_000_000).default(50_000_000),
    UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(7 * 24 * 3600).default(900),
    NODE_ENV: z.string().default('development'),
    DEID_SECRET: z.string().min(32, 'must be at least 32 characters: a random secret of this hospital').optional(),
    DEID_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(6),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.DEID_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['DEID_SECRET'], message: 'is required in production (pseudonyms are keyed with it)' });
    }
  })
  .transform((env) => ({
    hospital: { id: env.HOSPITAL_ID.toLowerCase(), slug: env.HOSPITAL_SLUG },
    http: { host: env.HOST, port: env.PORT, introspection: env.GRAPHQL_INTROSPECTION },
    database: { url: env.DATABASE_URL },
    nats: { url: env.NATS_URL, namespace: env.NATS_NAMESPACE },
    auth: { issuers: trustedIssuersFromEnv(env) as TrustedIssuer[] },
    log: { level: env.LOG_LEVEL },
    telemetry: telemetryFromEnv(env),
    ingest: {
      publicGatewayUrl: env.PUBLIC_GATEWAY_URL.replace(/\/+$/, ''),
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      maxImagePixels: env.MAX_IMAGE_PIXELS,
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
    },
    deidentification: {
      secret: env.DEID_SECRET ?? DEVELOPMENT_DEID_SECRET,
      usesDevelopmentSecret: !env.DEID_SECRET,
      maxAttempts: env.DEID_MAX_ATTEMPTS,
    },
  }));

export type DeidentificationConfig = HospitalConfig['deidentification'];

export type IngestConfig = HospitalConfig['ingest'];

export type HospitalConfig = z.infer<typeof envSchema>;

/** Throws a ConfigError listing every problem (tests, tools). */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): HospitalConfig {
  return parseEnv(envSchema, env);
}

/** For process start: prints every problem and exits 1. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HospitalConfig {
  return loadEnvOrExit(envSchema, env);
}
