import { natsTopology } from '@triage/contracts';
import { createTokenVerifier, type TokenVerifier } from '@triage/auth';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, ensureStreams, type NatsConnection } from '@triage/nats';
import { initTelemetry, type Telemetry } from '@triage/telemetry';
import { createGraphQLService, createServiceMetrics, migrate, type Orm, type RunningService } from '@triage/service-common';
import { createContextFactory } from './context.js';
import { createDeidentificationQueue, type DeidentificationQueue } from './deidentify/deidentification.queue.js';
import { createOcrEngine, type OcrEngine } from './deidentify/ocr.js';
import { exportResearchExample } from './deidentify/research-export.js';
import { createHospitalOrm, ensureHospitalDatabase } from './database.js';
import type { HospitalConfig } from './env.js';
import { openImageStore } from './ingest/image-store.js';
import { createHospitalMetrics, type HospitalMetrics } from './hospital-metrics.js';
import { createIngestMetrics } from './ingest/ingest-metrics.js';
import { mountIngestRoutes } from './ingest/ingest.routes.js';
import { IngestService } from './ingest/ingest.service.js';
import { createOutboxRelay, type OutboxRelay } from './outbox/outbox.relay.js';
import { startPredictionConsumer, type PredictionConsumer } from './prediction/prediction.consumer.js';
import { buildHospitalSchema } from './schema.js';
import { mountStudyImageRoute } from './study/study-image.routes.js';

export interface ServerDeps {
  log?: Logger;
  verifier?: TokenVerifier;
  /** Outbox retry period; tests shorten it or pass 0 to drive the relay by hand. */
  outboxIntervalMs?: number;
  /** De-identification queue timing; tests shorten it. */
  deidentification?: { pollIntervalMs?: number; retryDelayMs?: (attempts: number) => number };
  telemetry?: Telemetry;
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
  /** The de-identification queue (research copies of reviewed studies); available after start. */
  deidentification(): DeidentificationQueue;
}

/** Counts one de-identification attempt by how it ended; the queue still sees the failure. */
async function countOutcome(metrics: HospitalMetrics, attempt: Promise<void>): Promise<void> {
  try {
    await attempt;
    metrics.deidentified.inc();
  } catch (error) {
    metrics.deidentificationFailures.inc();
    throw error;
  }
}

export async function createServer(config: HospitalConfig, deps: ServerDeps = {}): Promise<HospitalServer> {
  const log = deps.log ?? createLogger({ service: 'subgraph-hospital', level: config.log.level }).child({ hospitalId: config.hospital.id });
  const verifier = deps.verifier ?? createTokenVerifier(config.auth.issuers);
  const telemetry =
    deps.telemetry ??
    initTelemetry({ service: 'subgraph-hospital', ...config.telemetry, attributes: { 'triage.hospital.id': config.hospital.id } });
  const topology = natsTopology(config.nats.namespace);
  await ensureHospitalDatabase(config.database.url, log);
  const orm = await createHospitalOrm(config.database.url, { log });
  const schema = await buildHospitalSchema();

  let nc: NatsConnection | undefined;
  let relay: OutboxRelay | undefined;
  let service: RunningService | undefined;
  let queue: DeidentificationQueue | undefined;
  let ocr: OcrEngine | undefined;
  let predictions: PredictionConsumer | undefined;

  return {
    orm,
    log,
    url: () => service?.url() ?? '',
    outbox() {
      if (!relay) throw new Error('the hospital server is not started');
      return relay;
    },
    deidentification() {
      if (!queue) throw new Error('the hospital server is not started');
      return queue;
    },
    async start() {
      const applied = await migrate(orm);
      if (applied.length) log.info({ migrations: applied }, 'applied database migrations');
      nc = await connectNats({ url: config.nats.url, name: `subgraph-hospital-${config.hospital.slug}`, log });
      await ensureStreams(nc, topology);
      relay = createOutboxRelay({ orm, nc, log, intervalMs: deps.outboxIntervalMs || undefined, tracer: telemetry.tracer });
      const connection = nc;
      const store = await openImageStore(nc, topology.buckets.hospitalImages(config.hospital.slug));
      const researchImages = await openImageStore(nc, topology.buckets.research);
      const ingest = new IngestService({ orm, hospital: config.hospital, topology, outbox: relay, store, log });
      if (config.deidentification.usesDevelopmentSecret) {
        log.warn('DEID_SECRET is not set: research pseudonyms use the published development key and are NOT secret (set DEID_SECRET; production requires it)');
      }
      const metrics = createServiceMetrics('subgraph-hospital');
      const ingestMetrics = createIngestMetrics(metrics.registry);
      const hospitalMetrics = createHospitalMetrics(metrics.registry, config.hospital, orm);
      const deidLog = log.child({ component: 'deidentification' });
      const ocrEngine = (ocr = createOcrEngine({ log: deidLog }));
      const outbox = relay;
      const deidentification = (queue = createDeidentificationQueue({
        orm,
        log: deidLog,
        maxAttempts: config.deidentification.maxAttempts,
        tracer: telemetry.tracer,
        ...deps.deidentification,
        run: (jobId) =>
          countOutcome(hospitalMetrics, exportResearchExample(
            {
              orm,
              hospital: config.hospital,
              topology,
              outbox,
              hospitalImages: store,
              researchImages,
              secret: config.deidentification.secret,
              ocr: ocrEngine,
              log: deidLog,
            },
            jobId,
          )),
      }));
      service = createGraphQLService({
        name: 'subgraph-hospital',
        schema,
        verifier,
        log,
        host: config.http.host,
        port: config.http.port,
        introspection: config.http.introspection,
        metrics,
        telemetry,
        database: orm,
        context: createContextFactory({
          hospital: config.hospital,
          em: orm.em,
          topology,
          outbox: relay,
          ingest: config.ingest,
          onReviewed: (review) => {
            hospitalMetrics.reviewsRecorded.inc({ finding: review.finding.toLowerCase() });
            deidentification.wake();
          },
        }),
        routes: (app) => {
          mountIngestRoutes(app, {
            hospital: config.hospital,
            ingest,
            verifier,
            limits: { maxUploadBytes: config.ingest.maxUploadBytes, maxImagePixels: config.ingest.maxImagePixels },
            metrics: ingestMetrics,
            log: log.child({ component: 'ingest' }),
          });
          mountStudyImageRoute(app, { hospital: config.hospital, orm, store, verifier, log: log.child({ component: 'study-image' }) });
        },
        readinessChecks: {
          database: () => orm.em.getConnection().execute('select 1'),
          nats: async () => {
            if (connection.isClosed()) throw new Error('NATS connection closed');
            await connection.flush();
          },
        },
      });
      // The latest active prediction per study, for the research copies.
      predictions = await startPredictionConsumer({ nc, orm, topology, hospitalId: config.hospital.id, log: log.child({ component: 'predictions' }), tracer: telemetry.tracer });
      const url = await service.start();
      // Also picks up events left unpublished by a previous run.
      if (deps.outboxIntervalMs !== 0) relay.start();
      // Also picks up de-identification jobs a previous run left.
      deidentification.start();
      return url;
    },
    async stop() {
      await service?.stop();
      await queue?.stop();
      await ocr?.stop();
      await predictions?.drain();
      await relay?.stop();
      await nc?.drain().catch(() => undefined);
      await orm.close();
      await telemetry.shutdown();
    },
  };
}
