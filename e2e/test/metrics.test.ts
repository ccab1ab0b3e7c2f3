import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jetstream } from '@nats-io/jetstream';
import { encodeEvent, messageIds, StudyCreatedV1 } from '@triage/contracts';
import { connectNats } from '@triage/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, TEST_NATS_URL } from '@triage/testing';
import { FeedClient, FEED } from '../../gateway/test/support/feed-client.js';
import { parsePrometheusText, type PrometheusText } from '../../gateway/src/ops/prometheus-text.js';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { startResearch, type ResearchService } from './support/research.js';
import { Pipeline, uploadThroughGateway } from './support/pipeline.js';

const SLUGS = ['st-marys', 'general'] as const;
const PER_HOSPITAL = 2;
const N = SLUGS.length * PER_HOSPITAL;

type Scrape = Record<string, PrometheusText>;

/**
 * Every service's /metrics, scraped before, during and after a short pipeline run (N uploads
 * through the gateway, one review): the pipeline's metrics move by exactly what happened.
 */
describe('metrics of every service during a pipeline run', () => {
  let pipeline: Pipeline;
  let research: ResearchService | undefined;
  let feed: FeedClient | undefined;
  const targets: Record<string, { url: string; service: string }> = {};

  beforeAll(async () => {
    const researchPort = await freePort();
    // Four deliveries before the dead-letter subject: the lost image below is retried for ~7 s.
    pipeline = await Pipeline.start(
      { RESEARCH_URL: `http://127.0.0.1:${researchPort}/graphql` },
      { serviceEnv: { WORKER_MAX_DELIVERIES: '4' } },
    );
    const p = pipeline.platform;
    research = await startResearch(p, researchPort);
    targets.gateway = { url: p.gatewayUrl, service: 'gateway' };
    targets.directory = { url: p.directoryUrl, service: 'directory' };
    for (const slug of SLUGS) targets[slug] = { url: p.hospital(slug).url, service: 'subgraph-hospital' };
    targets.triage = { url: p.triage.url(), service: 'subgraph-triage' };
    targets.research = { url: research.server.url(), service: 'subgraph-research' };
    targets.worker = { url: pipeline.worker.url(), service: 'inference-worker' };
  }, 240_000);

  afterAll(async () => {
    await feed?.dispose();
    await research?.stop();
    await pipeline?.stop();
  });

  async function scrapeAll(): Promise<Scrape> {
    const entries = await Promise.all(
      Object.entries(targets).map(async ([name, { url }]) => {
        const res = await fetch(`${url}/metrics`);
        expect(res.status, `${name} /metrics`).toBe(200);
        expect(res.headers.get('content-type'), name).toMatch(/^text\/plain; version=0\.0\.4/);
        return [name, parsePrometheusText(await res.text())] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  it(
    'finds the pipeline, gateway, subscription, database and process metrics moving',
    { timeout: 300_000 },
    async () => {
      const p = pipeline.platform;
      const hospitalId = (slug: string) => p.hospital(slug).id;
      const techs = Object.fromEntries(
        await Promise.all(SLUGS.map(async (s) => [s, await p.login(`tech.${s}@demo.local`)] as const)),
      );
      // The worker reads its consumer and the DLQ every 2 s: wait for the first reading.
      await eventually(
        async () => ((await scrapeAll()).worker!.has('inference_dead_letter_messages') ? true : undefined),
        15_000,
        'worker gauges',
      );

      const before = await scrapeAll();
      for (const [name, text] of Object.entries(before)) {
        expect(
          text.series('process_cpu_seconds_total', { service: targets[name]!.service }),
          `${name} service label`,
        ).toHaveLength(1);
      }

      // Logging in during the run moves the directory's (and the gateway's) counters.
      const doctor = await p.login('doctor@demo.local');
      feed = new FeedClient(p.gatewayUrl, doctor).subscribe(FEED, {});
      await eventually(
        async () =>
          (await scrapeAll()).gateway!.sum('gateway_subscriptions_active', { field: 'triageFeed' }) === 1
            ? true
            : undefined,
        10_000,
        'the subscription to be counted',
      );

      const samples = sampleFiles();
      const uploads: { slug: string; studyId: string }[] = [];
      for (let i = 0; i < N; i++) {
        const slug = SLUGS[i % SLUGS.length]!;
        const answer = await uploadThroughGateway(
          p,
          slug,
          techs[slug]!,
          new Uint8Array(readFileSync(samples[i]!)),
        );
        expect(answer.status).toBe(201);
        uploads.push({ slug, studyId: answer.studyId });
      }

      // During the run: every upload is counted as stored the moment the PUT answers.
      const during = await scrapeAll();
      for (const slug of SLUGS) {
        const stored = { route: 'upload', outcome: 'stored' };
        expect(
          during[slug]!.sum('ingest_images_total', stored) - before[slug]!.sum('ingest_images_total', stored),
          slug,
        ).toBe(PER_HOSPITAL);
        expect(during[slug]!.sum('ingest_body_bytes_read_total')).toBeGreaterThan(
          before[slug]!.sum('ingest_body_bytes_read_total'),
        );
      }

      const stored = 'triage_predictions_stored_total';
      const afterPredictions = await eventually(
        async () => {
          const now = await scrapeAll();
          return now.triage!.sum(stored) - before.triage!.sum(stored) === N ? now : undefined;
        },
        90_000,
        `${N} predictions stored`,
      );
      await feed.until(() => feed!.events.length >= N, `${N} feed events`, 30_000);

      // The label of every prediction, as the doctors see it.
      const labels: string[] = [];
      for (const upload of uploads) {
        const res = await p.query<{ study: { prediction: { label: string } } }>(
          'query L($h: ID!, $id: ID!) { study(hospitalId: $h, id: $id) { prediction { label } } }',
          { h: hospitalId(upload.slug), id: upload.studyId },
          doctor,
        );
        labels.push(res.data!.study.prediction.label);
      }

      // One review: the doctor reads the first study, then records a finding on it.
      const reviewed = uploads[0]!;
      const study = await p.query<{ study: { prediction: { label: string; modelVersion: string } } }>(
        'query S($h: ID!, $id: ID!) { study(hospitalId: $h, id: $id) { prediction { label modelVersion } } }',
        { h: hospitalId(reviewed.slug), id: reviewed.studyId },
        doctor,
      );
      const prediction = study.data!.study.prediction;
      const review = await p.query(
        'mutation R($h: ID!, $s: ID!) { recordReview(hospitalId: $h, studyId: $s, finding: PNEUMONIA, notes: "metrics e2e") { id } }',
        { h: hospitalId(reviewed.slug), s: reviewed.studyId },
        doctor,
      );
      expect(review.errors).toBeUndefined();
      // A researcher looks at the research index (through the gateway to the research subgraph).
      const researcher = await p.login('researcher@demo.local');
      const summary = await p.query('query Summary { researchSummary { total } }', {}, researcher);
      expect(summary.errors).toBeUndefined();
      const after = await eventually(
        async () => {
          const now = await scrapeAll();
          const deidentified =
            now[reviewed.slug]!.sum('hospital_deidentified_total') -
            before[reviewed.slug]!.sum('hospital_deidentified_total');
          const agreement =
            now.triage!.sum('triage_review_agreement_total') -
            before.triage!.sum('triage_review_agreement_total');
          const indexed =
            now.research!.sum('research_events_total', { outcome: 'ack' }) -
            before.research!.sum('research_events_total', { outcome: 'ack' });
          const outboxEmpty = SLUGS.every((s) => now[s]!.sum('hospital_outbox_pending_events') === 0);
          return deidentified === 1 && agreement === 1 && indexed >= 1 && outboxEmpty ? now : undefined;
        },
        120_000,
        'the review to be counted, de-identified and indexed',
      );

      const delta = (name: string, target: string, metric: string, labels: Record<string, string> = {}) => ({
        name,
        value: after[target]!.sum(metric, labels) - before[target]!.sum(metric, labels),
      });
      const expectDelta = (
        target: string,
        metric: string,
        labels: Record<string, string>,
        expected: number,
      ) =>
        expect(
          delta(target, target, metric, labels),
          `${target} ${metric} ${JSON.stringify(labels)}`,
        ).toEqual({ name: target, value: expected });

      // Stage 1 and 2, per hospital: uploaded == predicted == N / hospitals.
      for (const slug of SLUGS) {
        const id = hospitalId(slug);
        expectDelta(slug, 'ingest_images_total', { outcome: 'stored' }, PER_HOSPITAL);
        expectDelta(
          'triage',
          stored,
          { hospital_id: id, model_version: pipeline.model.version },
          PER_HOSPITAL,
        );
        expectDelta('triage', 'triage_end_to_end_seconds_count', { hospital_id: id }, PER_HOSPITAL);
        expect(after[slug]!.series('hospital_info', { hospital_id: id }).map((s) => s.value)).toEqual([1]);
        expectDelta(slug, 'hospital_reviews_recorded_total', {}, slug === reviewed.slug ? 1 : 0);
        expectDelta(slug, 'hospital_deidentification_failures_total', {}, 0);
      }
      expect(afterPredictions.triage!.sum(stored)).toBe(after.triage!.sum(stored));
      // The end-to-end latency is real time: positive and under the test's own wait.
      const e2eSum =
        after.triage!.sum('triage_end_to_end_seconds_sum') -
        before.triage!.sum('triage_end_to_end_seconds_sum');
      expect(e2eSum).toBeGreaterThan(0);
      expect(e2eSum / N).toBeLessThan(90);
      // Stage 3: the finding, and how it compares with the model.
      expectDelta(reviewed.slug, 'hospital_reviews_recorded_total', { finding: 'pneumonia' }, 1);
      expectDelta(
        'triage',
        'triage_review_agreement_total',
        {
          model_version: prediction.modelVersion,
          agreement: prediction.label === 'PNEUMONIA' ? 'agree' : 'disagree',
        },
        1,
      );
      expectDelta('triage', 'triage_events_total', { consumer: 'triage-predictions', outcome: 'ack' }, N);
      expect(
        delta('triage', 'triage', 'triage_events_total', { consumer: 'triage-studies', outcome: 'ack' })
          .value,
      ).toBeGreaterThanOrEqual(N + 1);

      // The worker: scored by label, batched, timed, risk distribution; nothing dead-lettered.
      const active = { model_version: pipeline.model.version, role: 'active' };
      expectDelta('worker', 'inference_studies_processed_total', active, N);
      for (const label of ['pneumonia', 'normal']) {
        const count = labels.filter((l) => l === label.toUpperCase()).length;
        expectDelta('worker', 'inference_studies_processed_total', { ...active, label }, count);
        expectDelta('triage', stored, { model_version: pipeline.model.version, label }, count);
      }
      expectDelta('worker', 'inference_prediction_risk_count', active, N);
      expectDelta('worker', 'inference_queue_seconds_count', {}, N);
      expectDelta('worker', 'inference_preprocess_seconds_count', {}, N);
      expectDelta('worker', 'inference_batch_size_sum', {}, N);
      expect(
        delta('worker', 'worker', 'inference_model_seconds_count', { model_version: pipeline.model.version })
          .value,
      ).toBeGreaterThanOrEqual(1);
      expectDelta('worker', 'inference_failures_total', {}, 0);
      expect(after.worker!.max('inference_dead_letter_messages')).toBe(0);
      expect(after.worker!.max('inference_consumer_pending_messages')).toBeGreaterThanOrEqual(0);
      expect(after.worker!.has('inference_consumer_ack_pending_messages')).toBe(true);

      // The gateway: operations, HTTP, per-hospital subgraph fetches, the live feed.
      expectDelta('gateway', 'graphql_operations_total', { operation: 'U', outcome: 'ok' }, N);
      expectDelta('gateway', 'graphql_operation_duration_seconds_count', { operation: 'U' }, N);
      expectDelta(
        'gateway',
        'http_requests_total',
        { route: '/uploads/:hospitalId/:token', method: 'PUT', status: '201' },
        N,
      );
      for (const slug of SLUGS) {
        expect(
          delta('gateway', 'gateway', 'gateway_subgraph_fetch_duration_seconds_count', {
            subgraph: 'hospital',
            hospital: slug,
          }).value,
        ).toBeGreaterThanOrEqual(PER_HOSPITAL);
      }
      expect(after.gateway!.sum('gateway_subscriptions_active', { field: 'triageFeed' })).toBe(1);
      expect(
        delta('gateway', 'gateway', 'gateway_subscription_deliveries_total', {}).value,
      ).toBeGreaterThanOrEqual(N);
      expect(
        delta('gateway', 'gateway', 'gateway_subscription_events_total', { source: 'live' }).value,
      ).toBeGreaterThanOrEqual(N);

      // Subgraphs count their own GraphQL traffic; every service's process is alive and working.
      // The gateway's query planner names each subgraph fetch after the client's operation.
      expectDelta(
        'research',
        'graphql_operations_total',
        { operation: 'Summary__research__0', outcome: 'ok' },
        1,
      );
      expect(research!.phi.scanned).toBeGreaterThan(0);
      for (const name of ['directory', 'triage', 'research', ...SLUGS]) {
        expect(delta(name, name, 'graphql_operations_total', {}).value, name).toBeGreaterThan(0);
        expect(delta(name, name, 'http_requests_total', {}).value, name).toBeGreaterThan(0);
      }
      for (const name of Object.keys(targets)) {
        expect(delta(name, name, 'process_cpu_seconds_total', {}).value, name).toBeGreaterThan(0);
      }
      // Database pool use, in every service with a database.
      for (const name of ['directory', 'triage', 'research', ...SLUGS]) {
        expect(after[name]!.max('db_pool_connections_max'), name).toBe(10);
        for (const gauge of [
          'db_pool_connections_used',
          'db_pool_connections_free',
          'db_pool_acquires_pending',
        ]) {
          expect(after[name]!.max(gauge), `${name} ${gauge}`).toBeGreaterThanOrEqual(0);
        }
      }

      // An image the hospital's bucket no longer has: the worker retries it with back-off (the
      // consumer counts it as redelivered meanwhile), then dead-letters it.
      const lostId = randomUUID();
      const nc = await connectNats({ url: TEST_NATS_URL, name: 'e2e-metrics' });
      try {
        const sha256 = '0'.repeat(64);
        const event: StudyCreatedV1 = {
          version: 1,
          hospitalId: hospitalId('st-marys'),
          studyId: lostId,
          modality: 'CR',
          bodyPart: 'CHEST',
          acquiredAt: new Date().toISOString(),
          image: {
            bucket: p.topology.buckets.hospitalImages('st-marys'),
            key: `studies/${lostId}/original`,
            sha256,
            contentType: 'image/jpeg',
            width: 1,
            height: 1,
          },
          occurredAt: new Date().toISOString(),
        };
        await jetstream(nc).publish(
          p.topology.subjects.studyCreated(event.hospitalId),
          encodeEvent(StudyCreatedV1, event),
          { msgID: messageIds.studyImageStored(lostId, sha256) },
        );
      } finally {
        await nc.close();
      }
      let redelivered = 0;
      const dead = await eventually(
        async () => {
          const now = await scrapeAll();
          redelivered = Math.max(redelivered, now.worker!.max('inference_consumer_redelivered_messages') ?? 0);
          return now.worker!.max('inference_dead_letter_messages') === 1 ? now : undefined;
        },
        60_000,
        'the lost image dead-lettered',
      );
      expect(redelivered).toBe(1);
      expect(
        dead.worker!.sum('inference_failures_total', { kind: 'transient' }) -
          after.worker!.sum('inference_failures_total', { kind: 'transient' }),
      ).toBe(3);
      expect(
        dead.worker!.sum('inference_failures_total', { kind: 'dead_letter' }) -
          after.worker!.sum('inference_failures_total', { kind: 'dead_letter' }),
      ).toBe(1);
    },
  );
});
