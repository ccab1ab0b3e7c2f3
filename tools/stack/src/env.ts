import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envFields, loadEnvOrExit, z } from '@triage/config';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const stackEnvSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_NAMESPACE: z.string().default(''),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
  DB_PREFIX: z.string().regex(/^[a-z][a-z0-9_]{0,20}$/).default('triage'),
  EMBEDDED_POSTGRES_PORT: envFields.port(54329),
  GATEWAY_PORT: envFields.port(4000),
  DIRECTORY_PORT: envFields.port(4001),
  TRIAGE_PORT: envFields.port(4002),
  RESEARCH_PORT: envFields.port(4003),
  HOSPITAL_BASE_PORT: envFields.port(4101),
  WORKER_PORT: envFields.port(4200),
  FEED_RATE: z.coerce.number().min(0).default(0.2),
  HOST: z.string().default('127.0.0.1'),
  DEMO_PASSWORD: z.string().min(8).optional(),
  LOG_LEVEL: envFields.logLevel(),
  GRAPHQL_INTROSPECTION: envFields.boolean(true),
});

export type StackEnv = z.infer<typeof stackEnvSchema>;

export const DEMO_HOSPITALS = [
  { slug: 'st-marys', name: "St. Mary's" },
  { slug: 'general', name: 'General' },
] as const;

export const loadStackEnv = (env = process.env): StackEnv => loadEnvOrExit(stackEnvSchema, env);
