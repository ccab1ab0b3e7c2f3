/**
 * npm run bench:pipeline — latency from "upload accepted" (the PUT answered 201) to "prediction
 * stored" (triage committed it and announced the update), at a steady upload rate over two
 * hospitals, on the whole platform with real PostgreSQL, NATS and the ONNX worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrlFor, freePort, TEST_NATS_URL } from '@triage/testing';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { writePerformanceSection } from '../../inference-worker/bench/perf-doc.js';
import { startGatewayProcess } from '../../gateway/test/support/gateway-process.js';
import { Pipeline } from '../test/support/pipeline.js';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
/** Measured first on the same platform, for the ratio; 0 skips it. */
const BASELINE_RATE = Number(process.env.BENCH_BASELINE_RATE ?? 5);

/**
 * process (default): every service but the directory runs as a process of its own, from its own entry
 * point, as deployed; in-process: every service inside the bench's process.
 */
const MODE = process.env.BENCH_SERVICES ?? 'process';
/** When set, each service process writes a V8 CPU profile (`--cpu-prof`) into this folder on exit. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Starts a service as deployed, from its built entry point (`<dir>/dist/main.js`, as its `npm start`
 * and its container run it) with `env`; resolves once `<base>/readyz` answers 200.
 */
async function startServiceProcess(dir: string, env: Record<string, string>, base: string): Promise<ChildProcess> {
  // A folder per process: V8 writes one profile per thread (the module loader's included).
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR, `${path.basename(dir)}-${env.PORT}`)}`] : [];
  const child = spawn(process.execPath, [...profile, 'dist/main.js'], {
    cwd: path.join(REPO, dir),
    env: { ...process.env, NATS_URL: TEST_NATS_URL, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${dir} exited with code ${child.exitCode} before it was ready`);
    if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) return child;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${dir} did not become ready`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds used so far by every process of this machine running `command` (PostgreSQL's backends, the NATS server). */
function commandCpuSeconds(command: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command) total += processCpuSeconds(Number(pid));
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}
const SHARED_SERVERS = [
  { name: 'PostgreSQL', command: 'postgres' },
  { name: 'NATS server', command: 'nats-server' },
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

interface PhaseResult {
  rate: number;
  latencies: number[];
  missing: number;
  refused: number;
  p50: number;
  p95: number;
  p99: number;
  cpuLine: string;
  load: number;
}

/** One phase: `total` uploads at `rate`/s by the technicians' thread, with every process's CPU meanwhile. */
async function measure(options: {
  rate: number;
  total: number;
  gatewayUrl: string;
  triageSubject: string;
  hospitals: { slug: string; id: string; token: string }[];
  images: Uint8Array[];
  children: { name: string; child: ChildProcess }[];
  separate: boolean;
}): Promise<PhaseResult> {
  const { rate, total, children } = options;
  const start = performance.now();
  const cpuStart = {
    bench: process.cpuUsage(),
    children: children.map(({ child }) => processCpuSeconds(child.pid!)),
    servers: SHARED_SERVERS.map((s) => commandCpuSeconds(s.command)),
  };
  // Technicians and stopwatch on a thread of their own (see load.worker.mjs).
  const technicians = new Worker(new URL('./load.worker.mjs', import.meta.url), {
    workerData: {
      gatewayUrl: options.gatewayUrl,
      natsUrl: TEST_NATS_URL,
      triageSubject: options.triageSubject,
      rate,
      total,
      warmup: WARMUP,
      hospitals: options.hospitals,
      images: options.images,
    },
  });
  const result = await new Promise<{ latencies: number[]; accepted: number; refused: number; uploadSeconds: number }>((resolve, reject) => {
    technicians.once('message', resolve);
    technicians.once('error', reject);
  });
  await technicians.terminate();
  const elapsed = (performance.now() - start) / 1000;
  const benchCpu = process.cpuUsage(cpuStart.bench);
  // Share of one core per process while uploading.
  const cpu = [
    { name: options.separate ? 'bench process (directory, load thread)' : 'all services and the load thread', share: (benchCpu.user + benchCpu.system) / 1e6 / elapsed },
    ...children.map(({ name, child }, i) => ({ name, share: (processCpuSeconds(child.pid!) - cpuStart.children[i]!) / elapsed })),
    // Backends of other databases count too: keep the machine otherwise quiet while benchmarking.
    ...SHARED_SERVERS.map(({ name, command }, i) => ({ name, share: (commandCpuSeconds(command) - cpuStart.servers[i]!) / elapsed })),
  ];
  const latencies = [...result.latencies].sort((a, b) => a - b);
  const [p50, p95, p99] = [50, 95, 99].map((q) => percentile(latencies, q));
  return {
    rate,
    latencies,
    missing: result.accepted - latencies.length,
    refused: result.refused,
    p50: p50!,
    p95: p95!,
    p99: p99!,
    cpuLine: cpu.map((c) => `${c.name} ${(c.share * 100).toFixed(0)}`).join(', '),
    load: os.loadavg()[0]!,
  };
}

async function main() {
  // As deployed, the gateway, each hospital, triage and the worker run as processes of their own (the
  // test platform starts hospitals and triage in this process first; they hand over port, database and
  // durable consumers to their processes). The directory stays here: it only issues the tokens.
  const separate = MODE === 'process';
  const pipeline = await Pipeline.start({}, { inProcessGateway: !separate, inProcessWorker: !separate });
  const p = pipeline.platform;
  const children: { name: string; child: ChildProcess }[] = [];
  process.once('exit', () => children.forEach(({ child }) => child.kill('SIGKILL')));
  if (separate) {
    for (const h of p.hospitals) {
      await h.server.stop();
      const env = { HOSPITAL_ID: h.id, HOSPITAL_SLUG: h.slug, PORT: new URL(h.url).port, DATABASE_URL: databaseUrlFor(h.database), NATS_NAMESPACE: p.ns, ...p.authEnv };
      children.push({ name: h.slug, child: await startServiceProcess('subgraphs/hospital', env, h.url) });
    }
    const triageUrl = p.triage.url();
    await p.triage.stop();
    const triageEnv = { PORT: new URL(triageUrl).port, DATABASE_URL: databaseUrlFor(p.databases.find((d) => d.endsWith('_triage'))!), NATS_NAMESPACE: p.ns, ...p.authEnv };
    children.push({ name: 'triage', child: await startServiceProcess('subgraphs/triage', triageEnv, triageUrl) });
    const gateway = await startGatewayProcess(p);
    children.push({ name: 'gateway', child: gateway.child });
    p.gatewayUrl = gateway.url;
    const workerPort = await freePort();
    children.push({ name: 'worker', child: await startServiceProcess('inference-worker', { PORT: String(workerPort), NATS_NAMESPACE: p.ns }, `http://127.0.0.1:${workerPort}`) });
  }
  const images = sampleFiles().map((f) => new Uint8Array(readFileSync(f)));
  const slugs = ['st-marys', 'general'];
  const tokens = Object.fromEntries(await Promise.all(slugs.map(async (s) => [s, await p.login(`tech.${s}@demo.local`)] as const)));

  const hospitals = slugs.map((slug) => ({ slug, id: p.hospital(slug).id, token: tokens[slug]! }));
  const phases = BASELINE_RATE > 0 && BASELINE_RATE !== RATE ? [BASELINE_RATE, RATE] : [RATE];
  const results: PhaseResult[] = [];
  for (const rate of phases) {
    const total = WARMUP + rate * SECONDS;
    console.log(
      `model ${pipeline.model.version}; ${total} uploads (${WARMUP} warm-up) at ${rate}/s over ${slugs.length} hospitals, full-resolution sample JPEGs; ${separate ? 'gateway, hospitals, triage and worker in processes of their own (node dist/main.js)' : 'every service in one process'}`,
    );
    const result = await measure({ rate, total, gatewayUrl: p.gatewayUrl, triageSubject: p.topology.subjects.allTriage, hospitals, images, children, separate });
    results.push(result);
    console.log(`measured ${result.latencies.length} studies (${result.missing} without a stored prediction within 60 s, ${result.refused} uploads refused)`);
    console.log(`CPU while uploading (% of one core): ${result.cpuLine}; load average ${result.load.toFixed(2)} on ${os.availableParallelism()} cores`);
    console.log(`upload accepted -> prediction stored at ${rate}/s: p50 ${result.p50.toFixed(0)} ms, p95 ${result.p95.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms (target p95 < 150 ms)`);
  }
  for (const { child } of children) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await pipeline.stop();

  const baseline = results.length > 1 ? results[0]! : undefined;
  const target = results.at(-1)!;
  if (baseline) {
    console.log(`p95 at ${RATE}/s / p95 at ${BASELINE_RATE}/s (same platform, same run): ${(target.p95 / baseline.p95).toFixed(2)}`);
  }
  const rows = results.map(
    (r) => `| ${r.rate}/s${r === baseline ? ' (baseline)' : ''} | ${r.p50.toFixed(0)} ms | ${r.p95.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.latencies.length} | ${r.missing} | ${r === baseline ? '' : 'p95 < 150 ms'} |`,
  );
  writePerformanceSection(
    `Pipeline latency at ${RATE} uploads/s (\`npm run bench:pipeline\`)`,
    [
      `Measured ${new Date().toISOString().slice(0, 10)}; model \`${pipeline.model.version}\`; ${phases.map((r) => `${r} uploads/s`).join(', then ')} for ${SECONDS} s each over two hospitals (after ${WARMUP} warm-up uploads), full-resolution sample JPEGs, ${separate ? 'the gateway, each hospital, triage and the inference worker (its default preprocessing threads) in processes of their own started from their built entry points as deployed (`node dist/main.js`), the directory in the bench process, whose second thread runs the technicians and times them,' : 'every service in one process'} on this 2-core machine, real PostgreSQL and NATS.`,
      'Latency runs from the moment the upload PUT is answered 201 to the moment triage has stored the prediction (its `triage.<hospital>.updated` event).',
      '',
      '| rate | p50 | p95 | p99 | studies | missing | target |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      ...(baseline ? [`p95 at ${RATE}/s is ${(target.p95 / baseline.p95).toFixed(2)} times the p95 at ${BASELINE_RATE}/s measured on the same platform in the same run.`, ''] : []),
      ...results.map((r) => `CPU while uploading at ${r.rate}/s, in % of one core: ${r.cpuLine}; load average ${r.load.toFixed(2)} at the end.`),
    ].join('\n'),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
