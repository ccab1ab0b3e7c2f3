import { createTokenVerifier } from '@triage/auth';
import { natsTopology } from '@triage/contracts';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, ensureStreams, type NatsConnection } from '@triage/nats';
import {
  createGraphQLService,
  createServiceMetrics,
  ensureDatabase,
  migrate,
  type Orm,
} from '@triage/service-common';
import { initTelemetry, type Telemetry } from '@triage/telemetry';
import { Counter } from 'prom-client';
import { createContext } from './context.js';
import type { TriageConfig } from './env.js';
import { TriageConsumers } from './events/triage-consumers.js';
import { createTriageMetrics } from './events/triage-metrics.js';
import { TriageProjection } from './events/triage-projection.js';
import { createTriageOrm } from './orm.js';
import { buildTriageSchema } from './schema.js';

export const SERVICE_NAME = 'subgraph-triage';

export interface TriageServerDeps {
  log?: Logger;
  telemetry?: Telemetry;
}

export interface TriageServer {
  /** Migrates, connects NATS, starts the consumers, then listens. Resolves to the base URL. */
  start(): Promise<string>;
  /** Stops HTTP, drains the consumers, then closes NATS and the database. */
  stop(): Promise<void>;
  /** Base URL once started; GraphQL is served at `${url()}/graphql`. */
  url(): string;
  orm: Orm;
  consumers: TriageConsumers;
}

/** Creates the service database when it is missing (development, `npm start`); managed databases may refuse, which is fine. */
async function ensureOwnDatabase(databaseUrl: string, log: Logger): Promise<void> {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  try {
    await ensureDatabase(databaseUrl, database);
  } catch (error) {
    log.warn({ err: error, database }, 'could not ensure the database exists; assuming it does');
  }
}

export async function createServer(config: TriageConfig, deps: TriageServerDeps = {}): Promise<TriageServer> {
  const log = deps.log ?? createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const telemetry = deps.telemetry ?? initTelemetry({ service: SERVICE_NAME, ...config.telemetry });
  const topology = natsTopology(config.nats.namespace);
  await ensureOwnDatabase(config.databaseUrl, log);
  const orm = await createTriageOrm(config.databaseUrl);
  const metrics = createServiceMetrics(SERVICE_NAME);
  const events = new Counter({
    name: 'triage_events_total',
    help: 'Consumed events by consumer and outcome (ack, nak = retried later, term = malformed)',
    labelNames: ['consumer', 'outcome'],
    registers: [metrics.registry],
  });
  const consumers = new TriageConsumers({
    topology,
    maxAckPending: config.nats.maxAckPending,
    concurrency: config.nats.concurrency,
    retryDelayMs: config.nats.retryDelayMs,
    projection: new TriageProjection(orm, log),
    log,
    onOutcome: (consumer, outcome) => events.inc({ consumer, outcome }),
    metrics: createTriageMetrics(metrics.registry),
    tracer: telemetry.tracer,
  });
  let nc: NatsConnection | undefined;
  let listening = false;

  const http = createGraphQLService({
    name: SERVICE_NAME,
    schema: await buildTriageSchema(),
    verifier: createTokenVerifier(config.auth.issuers),
    log,
    host: config.http.host,
    port: config.http.port,
    introspection: config.http.introspection,
    metrics,
    telemetry,
    database: orm,
    context: createContext(orm.em),
    readinessChecks: {
      database: async () => {
        const check = await orm.checkConnection();
        if (!check.ok) throw new Error(check.reason);
      },
      nats: async () => {
        if (!nc || nc.isClosed()) throw new Error('not connected');
        await nc.rtt();
      },
      consumers: async () => {
        if (!consumers.running) throw new Error('not consuming');
      },
    },
  });

  return {
    orm,
    consumers,
    url: () => http.url(),
    async start() {
      const applied = await migrate(orm);
      if (applied.length) log.info({ migrations: applied }, 'applied migrations');
      nc = await connectNats({ url: config.nats.url, name: SERVICE_NAME, log });
      await ensureStreams(nc, topology);
      await consumers.start(nc);
      const url = await http.start();
      listening = true;
      return url;
    },
    async stop() {
      if (listening) {
        listening = false;
        await http.stop();
      }
      await consumers.drain();
      if (nc && !nc.isClosed()) await nc.drain();
      await orm.close();
      await telemetry.shutdown();
    },
  };
}
