import { natsTopology } from '@triage/contracts';
import { createTokenVerifier, type TokenVerifier } from '@triage/auth';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, ensureStreams, type NatsConnection } from '@triage/nats';
import { createGraphQLService, createServiceMetrics, migrate, type Orm, type RunningService } from '@triage/service-common';
import { createContextFactory } from './context.js';
import { createHospitalOrm, ensureHospitalDatabase } from './database.js';
import type { HospitalConfig } from './env.js';
import { openImageStore } from './ingest/image-store.js';
import { createIngestMetrics } from './ingest/ingest-metrics.js';
import { mountIngestRoutes } from './ingest/ingest.routes.js';
import { IngestService } from './ingest/ingest.service.js';
import { createOutboxRelay, type OutboxRelay } from './outbox/outbox.relay.js';
import { buildHospitalSchema } from './schema.js';

export interface ServerDeps {
  log?: Logger;
  verifier?: TokenVerifier;
  /** Outbox retry period; tests shorten it or pass 0 to drive the relay by hand. */
  outboxIntervalMs?: number;
}

export interface HospitalServer {
  orm: Orm;
  log: Logger;
  /** Migrates, connects NATS, ensures streams, listens; resolves to the base URL. */
  start(): Promise<string>;
  /** Stops accepting requests, drains in-flight ones and the outbox, closes NATS and the database. */
  stop(): Promise<void>;
  /** Base URL (GraphQL at `${url()}/graphql`); empty before start. */
  url(): string;
  /** The outbox relay; available after start. */
  outbox(): OutboxRelay;
}

export async function createServer(config: HospitalConfig, deps: ServerDeps = {}): Promise<HospitalServer> {
  const log = deps.log ?? createLogger({ service: 'subgraph-hospital', level: config.log.level }).child({ hospitalId: config.hospital.id });
  const verifier = deps.verifier ?? createTokenVerifier(config.auth.issuers);
  const topology = natsTopology(config.nats.namespace);
  await ensureHospitalDatabase(config.database.url, log);
  const orm = await createHospitalOrm(config.database.url, { log });
  const schema = await buildHospitalSchema();

  let nc: NatsConnection | undefined;
  let relay: OutboxRelay | undefined;
  let service: RunningService | undefined;

  return {
    orm,
    log,
    url: () => service?.url() ?? '',
    outbox() {
      if (!relay) throw new Error('the hospital server is not started');
      return relay;
    },
    async start() {
      const applied = await migrate(orm);
      if (applied.length) log.info({ migrations: applied }, 'applied database migrations');
      nc = await connectNats({ url: config.nats.url, name: `subgraph-hospital-${config.hospital.slug}`, log });
      await ensureStreams(nc, topology);
      relay = createOutboxRelay({ orm, nc, log, intervalMs: deps.outboxIntervalMs || undefined });
      const connection = nc;
      const store = await openImageStore(nc, topology.buckets.hospitalImages(config.hospital.slug));
      const ingest = new IngestService({ orm, hospital: config.hospital, topology, outbox: relay, store, log });
      const metrics = createServiceMetrics('subgraph-hospital');
      const ingestMetrics = createIngestMetrics(metrics.registry);
      service = createGraphQLService({
        name: 'subgraph-hospital',
        schema,
        verifier,
        log,
        host: config.http.host,
        port: config.http.port,
        introspection: config.http.introspection,
        metrics,
        context: createContextFactory({ hospital: config.hospital, em: orm.em, topology, outbox: relay, ingest: config.ingest }),
        routes: (app) =>
          mountIngestRoutes(app, {
            hospital: config.hospital,
            ingest,
            verifier,
            limits: { maxUploadBytes: config.ingest.maxUploadBytes, maxImagePixels: config.ingest.maxImagePixels },
            metrics: ingestMetrics,
            log: log.child({ component: 'ingest' }),
          }),
        readinessChecks: {
          database: () => orm.em.getConnection().execute('select 1'),
          nats: async () => {
            if (connection.isClosed()) throw new Error('NATS connection closed');
            await connection.flush();
          },
        },
      });
      const url = await service.start();
      // Also picks up events left unpublished by a previous run.
      if (deps.outboxIntervalMs !== 0) relay.start();
      return url;
    },
    async stop() {
      await service?.stop();
      await relay?.stop();
      await nc?.drain().catch(() => undefined);
      await orm.close();
    },
  };
}
