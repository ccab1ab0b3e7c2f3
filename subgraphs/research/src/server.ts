import { createTokenVerifier, type TokenVerifier } from '@triage/auth';
import { natsTopology } from '@triage/contracts';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, ensureStreams, type NatsConnection } from '@triage/nats';
import { createGraphQLService, createServiceMetrics, ensureDatabase, migrate, type Orm } from '@triage/service-common';
import { initTelemetry, type Telemetry } from '@triage/telemetry';
import { Counter } from 'prom-client';
import { NatsResources } from './common/nats-resources.js';
import { mountResponseTap, type ResponseTap } from './common/response-tap.js';
import { createContext } from './context.js';
import { mountDatasetRoutes } from './dataset/dataset.routes.js';
import { DatasetService } from './dataset/dataset.service.js';
import type { ResearchConfig } from './env.js';
import { ResearchConsumers } from './events/research-consumer.js';
import { LabeledExampleProjection } from './labeled-example/labeled-example.projection.js';
import { ModelRegistryService } from './model-version/model-registry.service.js';
import { mountModelRoutes } from './model-version/model.routes.js';
import { createResearchOrm } from './orm.js';
import { buildResearchSchema } from './schema.js';

export const SERVICE_NAME = 'subgraph-research';

export interface ResearchServerDeps {
  log?: Logger;
  verifier?: TokenVerifier;
  /** Tests only: sees every GraphQL and HTTP response body (the suite-wide PHI scan). */
  responseTap?: ResponseTap;
  telemetry?: Telemetry;
}

export interface ResearchServer {
  /** Migrates, connects NATS, reconciles the model registry, starts the consumer, then listens. Resolves to the base URL. */
  start(): Promise<string>;
  /** Stops HTTP, drains the consumer and the registry watcher, then closes NATS and the database. */
  stop(): Promise<void>;
  /** Base URL once started; GraphQL at `${url()}/graphql`, downloads at `/datasets/:id/:format`, uploads at `/models`. */
  url(): string;
  orm: Orm;
  consumers: ResearchConsumers;
  registry: ModelRegistryService;
  datasets: DatasetService;
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

export async function createServer(config: ResearchConfig, deps: ResearchServerDeps = {}): Promise<ResearchServer> {
  const log = deps.log ?? createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const verifier = deps.verifier ?? createTokenVerifier(config.auth.issuers);
  const telemetry = deps.telemetry ?? initTelemetry({ service: SERVICE_NAME, ...config.telemetry });
  const topology = natsTopology(config.nats.namespace);
  await ensureOwnDatabase(config.databaseUrl, log);
  const orm = await createResearchOrm(config.databaseUrl);
  const metrics = createServiceMetrics(SERVICE_NAME);
  const events = new Counter({
    name: 'research_events_total',
    help: 'Consumed events by consumer and outcome (ack, nak = retried later, term = malformed)',
    labelNames: ['consumer', 'outcome'],
    registers: [metrics.registry],
  });
  const nats = new NatsResources(topology);
  const registry = new ModelRegistryService(orm, nats, log);
  const datasets = new DatasetService(orm, nats, log);
  const consumers = new ResearchConsumers({
    topology,
    maxAckPending: config.nats.maxAckPending,
    retryDelayMs: config.nats.retryDelayMs,
    projection: new LabeledExampleProjection(orm),
    log,
    onOutcome: (consumer, outcome) => events.inc({ consumer, outcome }),
    tracer: telemetry.tracer,
  });
  let nc: NatsConnection | undefined;
  let stopWatching: (() => Promise<void>) | undefined;
  let listening = false;

  const http = createGraphQLService({
    name: SERVICE_NAME,
    schema: await buildResearchSchema(),
    verifier,
    log,
    host: config.http.host,
    port: config.http.port,
    introspection: config.http.introspection,
    metrics,
    telemetry,
    database: orm,
    context: createContext(orm.em, { datasets, registry }),
    routes: (app) => {
      if (deps.responseTap) mountResponseTap(app, deps.responseTap);
      mountDatasetRoutes(app, { orm, datasets, nats, verifier, log });
      mountModelRoutes(app, { registry, verifier, maxBytes: config.models.maxBytes, log });
    },
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
    registry,
    datasets,
    url: () => http.url(),
    async start() {
      const applied = await migrate(orm);
      if (applied.length) log.info({ migrations: applied }, 'applied migrations');
      nc = await connectNats({ url: config.nats.url, name: SERVICE_NAME, log });
      await ensureStreams(nc, topology);
      nats.attach(nc);
      // Imports the registry's active (and shadow) version when this database has not seen it.
      await registry.reconcile();
      stopWatching = await registry.watch();
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
      await stopWatching?.();
      stopWatching = undefined;
      nats.detach();
      if (nc && !nc.isClosed()) await nc.drain();
      await orm.close();
      await telemetry.shutdown();
    },
  };
}
