import { authEnvShape, trustedIssuersFromEnv } from '@triage/auth';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envFields, loadEnvOrExit, parseEnv, telemetryEnvShape, telemetryFromEnv, z } from '@triage/config';

const DEFAULT_CLIENT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client/dist');

export const gatewayEnvSchema = z.object({
  PORT: envFields.port(4000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.string().url().optional(),
  /** The built web app (client/dist) served on the gateway's origin; empty turns it off. */
  CLIENT_DIST: z.string().default(DEFAULT_CLIENT_DIST),
  DIRECTORY_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
  TRIAGE_URL: z.string().url().default('http://127.0.0.1:4002/graphql'),
  RESEARCH_URL: z.string().url().default('http://127.0.0.1:4003/graphql'),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  NATS_NAMESPACE: z.string().default(''),
  GRAPHQL_INTROSPECTION: envFields.boolean(false),
  QUERY_MAX_DEPTH: z.coerce.number().int().positive().default(12),
  QUERY_MAX_COST: z.coerce.number().int().positive().default(20_000),
  /** Undelivered events one subscriber may accumulate before its connection is closed as a slow consumer. */
  SUBSCRIPTION_BUFFER_LIMIT: z.coerce.number().int().min(1).max(100_000).default(1_000),
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Federated fetches in flight at once for subscription events. */
  SUBSCRIPTION_FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  /** The inference workers' HTTP endpoints (readiness, metrics), comma-separated, for the ops status. */
  WORKER_URLS: z
    .string()
    .default('http://127.0.0.1:4200')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().url())),
  /** Grafana's public URL, linked from the ops page; empty hides the links. */
  GRAFANA_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  OPS_SCRAPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
  LOG_LEVEL: envFields.logLevel(),
  ...authEnvShape,
  ...telemetryEnvShape,
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export function gatewayConfig(env: GatewayEnv) {
  return {
    http: { port: env.PORT, host: env.HOST, publicUrl: env.PUBLIC_URL },
    clientDist: env.CLIENT_DIST,
    subgraphs: { directory: env.DIRECTORY_URL, triage: env.TRIAGE_URL, research: env.RESEARCH_URL },
    nats: { url: env.NATS_URL, namespace: env.NATS_NAMESPACE },
    introspection: env.GRAPHQL_INTROSPECTION,
    subscriptions: {
      bufferLimit: env.SUBSCRIPTION_BUFFER_LIMIT,
      perConnection: env.SUBSCRIPTIONS_PER_CONNECTION,
      fetchConcurrency: env.SUBSCRIPTION_FETCH_CONCURRENCY,
    },
    ops: { workerUrls: env.WORKER_URLS, grafanaUrl: env.GRAFANA_URL, scrapeTimeoutMs: env.OPS_SCRAPE_TIMEOUT_MS },
    limits: { maxDepth: env.QUERY_MAX_DEPTH, maxCost: env.QUERY_MAX_COST, defaultListSize: 10, variableListSize: 100 },
    issuers: trustedIssuersFromEnv(env),
    logLevel: env.LOG_LEVEL,
    telemetry: telemetryFromEnv(env),
  };
}

export type GatewayConfig = ReturnType<typeof gatewayConfig>;

export const loadGatewayConfig = (env = process.env) => gatewayConfig(loadEnvOrExit(gatewayEnvSchema, env));
export const parseGatewayConfig = (env: NodeJS.ProcessEnv) => gatewayConfig(parseEnv(gatewayEnvSchema, env));
