/**
 * `npm run bench:subscriptions -w @triage/gateway`: live-feed latency and gateway cost.
 *
 * Starts the platform harness (directory, two hospitals, triage on real PostgreSQL and NATS) in
 * this process and the gateway as its own process (so its CPU and memory are its own), connects
 * SUBSCRIBERS graphql-ws clients over the two hospitals with the web app's feed selection, then
 * publishes PredictionCreatedV1 at RATE per second for DURATION seconds and measures the time
 * from each publish to each subscriber receiving the enriched event. Writes the "Subscriptions"
 * section of docs/PERFORMANCE.md.
 *
 * Options (environment): SUBSCRIBERS=500 RATE=10 DURATION=30 PERFORMANCE_MD=<path> (empty: do not write).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { encodeEvent, PredictionCreatedV1 } from '@triage/contracts';
import { Worker } from 'node:worker_threads';
import { metricValue } from '../test/support/metrics.js';
import { startGatewayProcess } from '../test/support/gateway-process.js';
import { Platform } from '../test/support/platform.js';
import { createPatientWithStudy } from '../test/support/seed.js';

/** What the subscribers' thread (subscribers.worker.mjs) is given and reports. */
interface SubscribersSetup {
  url: string;
  query: string;
  variables: Record<string, unknown>;
  tokens: string[];
}
interface Deliveries {
  studyIds: string[];
  receivedAt: number[];
  /** The item's updatedAt: when triage committed the change. */
  committedAt: number[];
  errors: number;
}

const GATEWAY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PERFORMANCE_MD = process.env.PERFORMANCE_MD ?? path.resolve(GATEWAY_ROOT, '../docs/PERFORMANCE.md');
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 500);
const RATE = Number(process.env.RATE ?? 10);
const DURATION = Number(process.env.DURATION ?? 30);
const TARGET_P95_MS = 200;
/** Seconds of predictions before the measured ones: JIT, query plans, connection pools. */
const WARMUP = Number(process.env.WARMUP ?? 5);

/** The web app's feed subscription (client/src/worklist/worklist.graphql.ts). */
const FEED = /* GraphQL */ `
  subscription TriageFeed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {
    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {
      cursor
      item {
        ...WorklistItemFields
      }
    }
  }
  fragment WorklistItemFields on WorklistItem {
    id
    hospitalId
    status
    priority
    risk
    modelVersion
    receivedAt
    updatedAt
    hospital {
      id
      name
    }
    study {
      id
      hospitalId
      accessionNumber
      acquiredAt
      patient {
        id
        name
        mrn
        birthDate
        sex
      }
      prediction {
        modelVersion
        risk
        label
        threshold
      }
    }
  }
`;

const say = (message: string) => console.log(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Asks the subscribers' thread something and waits for the answer of that type. */
function ask<T>(worker: Worker, type: 'count' | 'finish', answer: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string }) => {
      if (message.type !== answer) return;
      worker.off('message', listener);
      resolve(message as T);
    };
    worker.on('message', listener);
    worker.postMessage({ type });
  });
}

async function main(): Promise<void> {
  say(`starting the platform (PostgreSQL, NATS, directory, 2 hospitals, triage) and a gateway process`);
  const platform = await Platform.start(undefined, { inProcessGateway: false });
  let gateway: ChildProcess | undefined;
  let worker: Worker | undefined;
  // Never leave a gateway process behind, whatever happens here.
  process.once('exit', () => gateway?.kill('SIGKILL'));
  try {
    const started = await startGatewayProcess(platform);
    gateway = started.child;
    platform.gatewayUrl = started.url;
    const stMarys = platform.hospital('st-marys');
    const general = platform.hospital('general');

    // Studies to predict, with patients (names come from the hospital subgraphs through the gateway).
    const count = RATE * DURATION;
    const warmupCount = RATE * WARMUP;
    say(`registering ${warmupCount + count} studies through the gateway`);
    const integration = {
      'st-marys': await platform.integrationToken('st-marys'),
      general: await platform.integrationToken('general'),
    };
    const registered: { hospitalId: string; studyId: string }[] = [];
    for (let i = 0; i < warmupCount + count; i++) {
      const slug = i % 2 === 0 ? 'st-marys' : 'general';
      registered.push(await createPatientWithStudy(platform, slug, integration[slug], `Bench Patient ${i}`));
    }
    const warmupStudies = registered.slice(0, warmupCount);
    const studies = registered.slice(warmupCount);
    // Triage must be done with the registrations (one TRIAGE event each) before anything is measured.
    const jsm = await jetstreamManager(platform.nc);
    while ((await jsm.streams.info(platform.topology.streams.triage)).state.messages < registered.length)
      await sleep(200);

    // Doctors: 40 % St. Mary's, 40 % General, 20 % both hospitals.
    const doctors = {
      stMarys: { token: await platform.login('doctor.st-marys@demo.local'), hospitals: [stMarys.id] },
      general: { token: await platform.login('doctor.general@demo.local'), hospitals: [general.id] },
      both: { token: await platform.login('doctor@demo.local'), hospitals: [stMarys.id, general.id] },
    };
    const plan = Array.from({ length: SUBSCRIBERS }, (_, i) =>
      i % 5 < 2 ? doctors.stMarys : i % 5 < 4 ? doctors.general : doctors.both,
    );
    const readersOf = (hospitalId: string) => plan.filter((d) => d.hospitals.includes(hospitalId)).length;

    say(`connecting ${SUBSCRIBERS} subscribers (on their own thread)`);
    const setup: SubscribersSetup = {
      url: `${started.url.replace(/^http/, 'ws')}/graphql`,
      query: FEED,
      // Only events with a risk: the registrations' own events are not part of the measurement.
      variables: { minRisk: 0 },
      tokens: plan.map((d) => d.token),
    };
    worker = new Worker(new URL('./subscribers.worker.mjs', import.meta.url), { workerData: setup });
    const failed = new Promise<never>((_, reject) => worker!.once('error', reject));
    failed.catch(() => undefined);
    const metricsUrl = `${started.url}/metrics`;
    const scrape = async () => (await fetch(metricsUrl)).text();
    while (metricValue(await scrape(), 'gateway_subscriptions_active') < SUBSCRIBERS) {
      await Promise.race([sleep(200), failed]);
    }
    const js = jetstream(platform.nc);
    const publishPrediction = (study: { hospitalId: string; studyId: string }) => {
      const risk = Math.round(Math.random() * 1000) / 1000;
      return js.publish(
        platform.topology.subjects.predictionCreated(study.hospitalId),
        encodeEvent(PredictionCreatedV1, {
          version: 1,
          hospitalId: study.hospitalId,
          studyId: study.studyId,
          modelVersion: 'bench',
          risk,
          label: risk >= 0.5 ? 'pneumonia' : 'normal',
          threshold: 0.5,
          shadow: false,
          timings: { queueMs: 0, preprocessMs: 0, inferenceMs: 0 },
          occurredAt: new Date().toISOString(),
        }),
      );
    };
    say(`warming up: ${warmupCount} predictions at ${RATE}/s (not measured)`);
    for (const study of warmupStudies) {
      await publishPrediction(study);
      await sleep(1000 / RATE);
    }
    await sleep(2_000);
    const { received: baseline } = await ask<{ received: number }>(worker, 'count', 'count');

    say(`publishing ${count} predictions at ${RATE}/s`);
    const publishedAt = new Map<string, number>();
    const before = await scrape();
    const benchCpuBefore = process.cpuUsage();
    const loadBefore = os.loadavg()[0]!;
    const startedAt = Date.now();
    let peakRss = metricValue(before, 'process_resident_memory_bytes');
    let expected = 0;
    for (let i = 0; i < count; i++) {
      const due = startedAt + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const study = studies[i]!;
      publishedAt.set(study.studyId, Date.now());
      expected += readersOf(study.hospitalId);
      await publishPrediction(study);
      if (i % RATE === 0)
        peakRss = Math.max(peakRss, metricValue(await scrape(), 'process_resident_memory_bytes'));
    }
    const drainDeadline = Date.now() + 15_000;
    while (Date.now() < drainDeadline) {
      const { received } = await ask<{ received: number }>(worker, 'count', 'count');
      if (received - baseline >= expected) break;
      await sleep(200);
    }
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const after = await scrape();
    peakRss = Math.max(peakRss, metricValue(after, 'process_resident_memory_bytes'));
    const { deliveries } = await ask<{ deliveries: Deliveries }>(worker, 'finish', 'results');
    worker = undefined;

    const latencies: number[] = [];
    const triageStage: number[] = [];
    const gatewayStage: number[] = [];
    deliveries.studyIds.forEach((studyId, i) => {
      const sent = publishedAt.get(studyId);
      if (sent === undefined) return;
      latencies.push(deliveries.receivedAt[i]! - sent);
      triageStage.push(deliveries.committedAt[i]! - sent);
      gatewayStage.push(deliveries.receivedAt[i]! - deliveries.committedAt[i]!);
    });
    // Where the time went, per event over the run (printed, not written): spikes versus a growing backlog.
    const perEvent = new Map<string, { committed: number; lastReceived: number }>();
    deliveries.studyIds.forEach((studyId, i) => {
      const entry = perEvent.get(studyId) ?? { committed: deliveries.committedAt[i]!, lastReceived: 0 };
      entry.lastReceived = Math.max(entry.lastReceived, deliveries.receivedAt[i]!);
      perEvent.set(studyId, entry);
    });
    const timeline = studies
      .map((study, index) => ({
        index,
        sent: publishedAt.get(study.studyId)!,
        ...perEvent.get(study.studyId)!,
      }))
      .map((e) => `${e.index}:${e.committed - e.sent}/${e.lastReceived - e.committed}`);
    say(`per event, triage ms / gateway-to-last-subscriber ms: ${timeline.join(' ')}`);
    const worst = studies
      .map((study) => ({ sent: publishedAt.get(study.studyId)!, ...perEvent.get(study.studyId)! }))
      .reduce((a, b) => (b.committed - b.sent > a.committed - a.sent ? b : a));
    const slowestTriageMs = worst.committed - worst.sent;
    say(
      `slowest triage step: published ${new Date(worst.sent).toISOString()}, committed ${slowestTriageMs} ms later`,
    );
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const all = sorted(latencies);
    const delta = (name: string) => metricValue(after, name) - metricValue(before, name);
    const figures = {
      subscribers: SUBSCRIBERS,
      events: count,
      deliveriesExpected: expected,
      deliveriesReceived: latencies.length,
      errors: deliveries.errors,
      p50: percentile(all, 50),
      p95: percentile(all, 95),
      p99: percentile(all, 99),
      max: all.at(-1) ?? NaN,
      triageStageP50: percentile(sorted(triageStage), 50),
      triageStageP95: percentile(sorted(triageStage), 95),
      slowestTriageMs,
      gatewayStageP50: percentile(sorted(gatewayStage), 50),
      gatewayStageP95: percentile(sorted(gatewayStage), 95),
      cpuPercent: (100 * delta('process_cpu_seconds_total')) / wallSeconds,
      /** The rest of the platform and the clients' thread, in this process. */
      benchProcessCpuPercent: (100 * (benchCpu.user + benchCpu.system)) / 1e6 / wallSeconds,
      rssMiB: metricValue(after, 'process_resident_memory_bytes') / 2 ** 20,
      peakRssMiB: peakRss / 2 ** 20,
      heapMiB: metricValue(after, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      fetches: delta('gateway_subscription_fetches_total'),
      enrichmentMeanMs:
        (1000 * delta('gateway_subscription_enrichment_duration_seconds_sum')) /
        Math.max(1, delta('gateway_subscription_enrichment_duration_seconds_count')),
      liveEvents: delta('gateway_subscription_events_total'),
      eventLoopLagP99Ms: metricValue(after, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      /** Other work on the machine skews every figure: recorded with them. */
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg()[0]!,
    };
    say(JSON.stringify(figures, null, 2));
    if (PERFORMANCE_MD) writeSection(PERFORMANCE_MD, figures, wallSeconds);
    if (!(figures.p95 < TARGET_P95_MS)) say(`p95 ${figures.p95} ms is above the ${TARGET_P95_MS} ms target`);
  } finally {
    await worker?.terminate();
    gateway?.kill('SIGTERM');
    if (gateway && gateway.exitCode === null) await new Promise((resolve) => gateway!.once('exit', resolve));
    await platform.stop();
  }
}

function writeSection(file: string, f: Record<string, number>, wallSeconds: number): void {
  const cpu = os.cpus();
  const ms = (v: number) => `${Math.round(v)} ms`;
  const section = [
    '## Subscriptions (`npm run bench:subscriptions -w @triage/gateway`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}. ` +
      `${f.subscribers} graphql-ws subscribers (40 % doctors of St. Mary's, 40 % of General, 20 % of both) with the web app's feed selection ` +
      `(worklist item + hospital name + study, patient and prediction from the hospital and triage subgraphs), ${RATE} PredictionCreatedV1/s ` +
      `for ${DURATION} s after a ${WARMUP} s warm-up (${f.events} measured events, ${f.deliveriesExpected} deliveries). The gateway runs as its own process; directory, hospitals ` +
      `and triage run in the bench process, the clients on a worker thread of it; PostgreSQL and NATS on the same machine.`,
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| latency prediction published -> event received, p50 | ${ms(f.p50!)} | |`,
    `| p95 | ${ms(f.p95!)} | < ${TARGET_P95_MS} ms |`,
    `| p99 | ${ms(f.p99!)} | |`,
    `| max | ${ms(f.max!)} | |`,
    `| of which publish -> triage committed the item, p50 / p95 | ${ms(f.triageStageP50!)} / ${ms(f.triageStageP95!)} | |`,
    `| slowest single triage step (a stall there delays every later event until triage catches up) | ${ms(f.slowestTriageMs!)} | |`,
    `| of which item committed -> received (stream, gateway, enrichment, socket), p50 / p95 | ${ms(f.gatewayStageP50!)} / ${ms(f.gatewayStageP95!)} | |`,
    `| deliveries received / expected | ${f.deliveriesReceived} / ${f.deliveriesExpected} (errors: ${f.errors}) | all |`,
    `| gateway CPU (process, over ${wallSeconds.toFixed(0)} s) | ${f.cpuPercent!.toFixed(1)} % of one core | |`,
    `| gateway RSS at the end / peak | ${f.rssMiB!.toFixed(0)} MiB / ${f.peakRssMiB!.toFixed(0)} MiB (heap used ${f.heapMiB!.toFixed(0)} MiB) | |`,
    `| federated fetches per event | ${(f.fetches! / Math.max(1, f.liveEvents!)).toFixed(2)} (${f.fetches} for ${f.liveEvents} events) | = distinct (selection, scope) groups reached |`,
    `| one federated fetch (triage + hospital + directory), mean | ${f.enrichmentMeanMs!.toFixed(1)} ms | |`,
    `| gateway event-loop lag p99 | ${f.eventLoopLagP99Ms!.toFixed(1)} ms | |`,
    `| rest of the platform + clients (bench process) CPU | ${f.benchProcessCpuPercent!.toFixed(1)} % of one core | |`,
    `| machine load average (1 min) before / after | ${f.loadAverageBefore!.toFixed(2)} / ${f.loadAverageAfter!.toFixed(2)} on ${os.cpus().length} cores | |`,
    '',
    "Latency spans the whole pipeline: JetStream, the triage consumer (database write, TriageUpdatedV1), the gateway's",
    'stream consumer, one federated fetch per group (triage, then hospital and directory), shaping, and the WebSocket write.',
    '',
  ].join('\n');
  const heading = /^## Subscriptions\b.*$/m;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n\n';
  const match = heading.exec(text);
  if (match) {
    const start = match.index;
    const next = text.slice(start + match[0].length).search(/^## /m);
    const end = next === -1 ? text.length : start + match[0].length + next;
    text = `${text.slice(0, start)}${section}\n${text.slice(end).replace(/^\n+/, '')}`;
  } else {
    text = `${text.replace(/\n*$/, '\n\n')}${section}`;
  }
  writeFileSync(file, text.replace(/\n*$/, '\n'));
  say(`wrote the Subscriptions section of ${file}`);
}

await main();
