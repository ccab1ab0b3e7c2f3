/**
 * npm run bench:pipeline — latency from "upload accepted" (the PUT answered 201) to "prediction
 * stored" (triage committed it and announced the update), at a steady upload rate over two
 * hospitals, on the whole platform with real PostgreSQL, NATS and the ONNX worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_NATS_URL } from '@triage/testing';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { writePerformanceSection } from '../../inference-worker/bench/perf-doc.js';
import { startGatewayProcess } from '../../gateway/test/support/gateway-process.js';
import { Pipeline } from '../test/support/pipeline.js';

const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);

/** process: the worker runs as its own process, as deployed; in-process: inside the platform's process. */
const WORKER_MODE = process.env.BENCH_WORKER ?? 'process';
const WORKER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../inference-worker');

/** Starts the inference worker's own entry point (src/main.ts) on the platform's namespace; resolves once it is ready. */
async function startWorkerProcess(namespace: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: WORKER_DIR,
    env: { ...process.env, PORT: '0', NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: namespace, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`worker process exited with code ${code} before it was ready`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('inference worker started')) resolve();
    });
  });
  child.stdout!.resume();
  return child;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  // As deployed, the gateway and the worker run as processes of their own; directory, hospitals and
  // triage share the bench's process with the load generator.
  const separate = WORKER_MODE === 'process';
  const pipeline = await Pipeline.start({}, { inProcessGateway: !separate, inProcessWorker: !separate });
  const p = pipeline.platform;
  let workerProcess: ChildProcess | undefined;
  let gatewayProcess: ChildProcess | undefined;
  process.once('exit', () => {
    workerProcess?.kill('SIGKILL');
    gatewayProcess?.kill('SIGKILL');
  });
  if (separate) {
    const gateway = await startGatewayProcess(p);
    gatewayProcess = gateway.child;
    p.gatewayUrl = gateway.url;
    workerProcess = await startWorkerProcess(p.ns);
  }
  const images = sampleFiles().map((f) => new Uint8Array(readFileSync(f)));
  const slugs = ['st-marys', 'general'];
  const tokens = Object.fromEntries(await Promise.all(slugs.map(async (s) => [s, await p.login(`tech.${s}@demo.local`)] as const)));

  const total = WARMUP + RATE * SECONDS;
  console.log(
    `model ${pipeline.model.version}; ${total} uploads (${WARMUP} warm-up) at ${RATE}/s over ${slugs.length} hospitals, full-resolution sample JPEGs; ${separate ? 'gateway and worker in processes of their own' : 'every service in one process'}`,
  );
  const start = performance.now();
  const cpuOf = (child?: ChildProcess) => (child ? processCpuSeconds(child.pid!) : 0);
  const cpuStart = { platform: process.cpuUsage(), worker: cpuOf(workerProcess), gateway: cpuOf(gatewayProcess) };
  // Technicians and stopwatch on a thread of their own (see load.worker.mjs).
  const technicians = new Worker(new URL('./load.worker.mjs', import.meta.url), {
    workerData: {
      gatewayUrl: p.gatewayUrl,
      natsUrl: TEST_NATS_URL,
      triageSubject: p.topology.subjects.allTriage,
      rate: RATE,
      total,
      warmup: WARMUP,
      hospitals: slugs.map((slug) => ({ slug, id: p.hospital(slug).id, token: tokens[slug]! })),
      images,
    },
  });
  const result = await new Promise<{ latencies: number[]; accepted: number; refused: number; uploadSeconds: number }>((resolve, reject) => {
    technicians.once('message', resolve);
    technicians.once('error', reject);
  });
  await technicians.terminate();
  const { refused } = result;
  const elapsed = (performance.now() - start) / 1000;
  const platformCpu = process.cpuUsage(cpuStart.platform);
  const cpu = {
    platform: (platformCpu.user + platformCpu.system) / 1e6 / elapsed,
    worker: (cpuOf(workerProcess) - cpuStart.worker) / elapsed,
    gateway: (cpuOf(gatewayProcess) - cpuStart.gateway) / elapsed,
  };
  const load = os.loadavg()[0]!;
  const latencies = [...result.latencies].sort((a, b) => a - b);
  const missing = result.accepted - latencies.length;
  for (const child of [workerProcess, gatewayProcess]) {
    if (!child) continue;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await pipeline.stop();

  const [p50, p95, p99] = [50, 95, 99].map((q) => percentile(latencies, q));
  console.log(`measured ${latencies.length} studies (${missing} without a stored prediction within 60 s, ${refused} uploads refused)`);
  console.log(
    `CPU while uploading (% of one core): directory + hospitals + triage (+ load thread) ${(cpu.platform * 100).toFixed(0)}, gateway ${(cpu.gateway * 100).toFixed(0)}, worker ${(cpu.worker * 100).toFixed(0)}; load average ${load.toFixed(2)} on ${os.availableParallelism()} cores`,
  );
  console.log(`upload accepted -> prediction stored: p50 ${p50!.toFixed(0)} ms, p95 ${p95!.toFixed(0)} ms, p99 ${p99!.toFixed(0)} ms (target p95 < 150 ms)`);
  writePerformanceSection(
    `Pipeline latency at ${RATE} uploads/s (\`npm run bench:pipeline\`)`,
    [
      `Measured ${new Date().toISOString().slice(0, 10)}; model \`${pipeline.model.version}\`; ${RATE} uploads/s for ${SECONDS} s over two hospitals (after ${WARMUP} warm-up uploads), full-resolution sample JPEGs, ${separate ? 'the gateway and the inference worker (its default preprocessing threads) in processes of their own, directory, both hospitals and triage in one more, whose second thread runs the technicians and times them,' : 'every service in one process'} on this 2-core machine, real PostgreSQL and NATS.`,
      'Latency runs from the moment the upload PUT is answered 201 to the moment triage has stored the prediction (its `triage.<hospital>.updated` event).',
      '',
      '| p50 | p95 | p99 | studies | missing | target |',
      '|---|---|---|---|---|---|',
      `| ${p50!.toFixed(0)} ms | ${p95!.toFixed(0)} ms | ${p99!.toFixed(0)} ms | ${latencies.length} | ${missing} | p95 < 150 ms |`,
      '',
      `CPU while uploading, in % of one core: directory + hospitals + triage (with the load thread) ${(cpu.platform * 100).toFixed(0)}, gateway ${(cpu.gateway * 100).toFixed(0)}, worker ${(cpu.worker * 100).toFixed(0)}; load average ${load.toFixed(2)} at the end (PostgreSQL and NATS not counted).`,
    ].join('\n'),
  );
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
