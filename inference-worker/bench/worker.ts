/**
 * npm run bench:worker — studies per second through the inference worker on full-resolution
 * JPEGs, against the decode + resize ceiling measured in the same run on the same images.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { committedModel, loadModel, predict, preprocess, PreprocessPool } from '@triage/model';
import { createLogger } from '@triage/logger';
import { TEST_NATS_URL } from '@triage/testing';
import { parseWorkerConfig } from '../src/env.js';
import { onnxModelLoader } from '../src/onnx-model.js';
import { createWorker } from '../src/worker.js';
import { PipelineHarness, sampleFiles, tinyModel } from '../test/support/harness.js';
import { writePerformanceSection } from './perf-doc.js';

const STUDIES = Number(process.env.BENCH_STUDIES ?? 240);
// The worker's own settings (its defaults unless WORKER_* variables say otherwise).
const { preprocessThreads: THREADS, preprocessConcurrency: CONCURRENCY, batching } = parseWorkerConfig(process.env);

async function modelBytes(): Promise<{ bytes: Uint8Array; name: string }> {
  try {
    const committed = await committedModel();
    if (existsSync(committed.path)) return { bytes: new Uint8Array(readFileSync(committed.path)), name: committed.version };
  } catch {
    // no committed model yet
  }
  return { bytes: tinyModel('bench-tiny'), name: 'bench-tiny (no committed model found)' };
}

/** Decode + resize only, the way the worker does it (same threads, same concurrency): the baseline. */
async function ceiling(images: Uint8Array[], spec: Parameters<typeof preprocess>[1], pool?: PreprocessPool): Promise<{ rate: number; cpuMs: number }> {
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const run = pool ? (image: Uint8Array) => pool.run(image, spec) : (image: Uint8Array) => preprocess(image, spec);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < STUDIES) await run(images[next++ % images.length]!);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { rate: STUDIES / ((performance.now() - t0) / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / STUDIES };
}

async function main() {
  const files = sampleFiles();
  const images = files.map((f) => new Uint8Array(readFileSync(f)));
  const model = await modelBytes();
  const loaded = await loadModel(model.bytes);
  const spec = loaded.metadata.inputSpec;
  await loaded.release();
  const avgPixels = (await Promise.all(images.map(async (b) => (await import('sharp')).default(b).metadata()))).reduce(
    (sum, m) => sum + (m.width ?? 0) * (m.height ?? 0),
    0,
  ) / images.length;
  console.log(`model ${model.name}; ${images.length} sample JPEGs, mean ${(avgPixels / 1e6).toFixed(2)} MP; ${STUDIES} studies; ${os.cpus().length} cores`);

  const pool = THREADS > 0 ? new PreprocessPool(THREADS) : undefined;
  await ceiling(images.slice(0, 8), spec, pool); // warm-up
  const { rate: ceilingRate, cpuMs: ceilingCpuMs } = await ceiling(images, spec, pool);
  await pool?.close();
  console.log(
    `decode + resize ceiling: ${ceilingRate.toFixed(1)} studies/s, ${ceilingCpuMs.toFixed(1)} ms CPU per study (${THREADS} preprocessing threads, concurrency ${CONCURRENCY})`,
  );

  const h = await new PipelineHarness().start();
  await h.publishModel(model.bytes);
  for (let i = 0; i < STUDIES; i++) await h.publishStudy(images[i % images.length]!);
  const worker = createWorker(
    parseWorkerConfig({ ...process.env, PORT: '0', NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: h.ns, WORKER_PREPROCESS_CONCURRENCY: String(CONCURRENCY) }),
    { log: createLogger({ service: 'bench', level: 'silent' }), loadModel: onnxModelLoader(1, THREADS) },
  );
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await worker.start();
  while ((await h.predictionCount()) < STUDIES) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const batches = (await worker.metrics.batchSize.get()).values;
  const batchCount = batches.find((v) => v.metricName === 'inference_batch_size_count')?.value ?? 0;
  const meanBatch = batchCount ? (batches.find((v) => v.metricName === 'inference_batch_size_sum')?.value ?? 0) / batchCount : 1;
  // CPU of the whole process (every thread: event loop, preprocessing threads, libvips, ONNX) per study.
  const cpuPerStudyMs = (cpu.user + cpu.system) / 1000 / STUDIES;
  await worker.stop();
  const predictions = await h.predictions();
  await h.stop();

  // The model's own CPU per study, measured alone on the same tensors in batches of the worker's mean
  // size (inside the worker, its wall time also counts time the preprocessing threads took the core).
  const inferenceCpuMs = await inferenceCpuPerStudy(model.bytes, await Promise.all(images.map((b) => preprocess(b, spec))), Math.max(1, Math.round(meanBatch)));

  // Steady state: from the 10th prediction to the last (excludes model load and consumer start-up).
  const times = predictions.map((p) => Date.parse(p.occurredAt)).sort((a, b) => a - b);
  const steadySeconds = (times[times.length - 1]! - times[9]!) / 1000;
  const workerRate = (times.length - 10) / steadySeconds;
  const perStudyMs = 1000 / workerRate;
  const inferenceMs = predictions.reduce((s, p) => s + p.timings.inferenceMs, 0) / predictions.length;
  const preprocessMs = predictions.reduce((s, p) => s + p.timings.preprocessMs, 0) / predictions.length;
  const ratio = workerRate / ceilingRate;
  const share = inferenceMs / perStudyMs;
  const cpuShare = inferenceCpuMs / cpuPerStudyMs;
  // The study's own processing time: its preprocessing plus its share of the batch's inference.
  const ownShare = inferenceMs / (preprocessMs + inferenceMs);
  const lines = [
    `worker: ${workerRate.toFixed(1)} studies/s steady state (${perStudyMs.toFixed(1)} ms of wall clock per study, incl. NATS and object store)`,
    `worker / ceiling: ${(ratio * 100).toFixed(0)} % (target >= 70 %)`,
    `inference: ${inferenceCpuMs.toFixed(2)} ms of CPU per study (batches of ${meanBatch.toFixed(1)}) = ${(cpuShare * 100).toFixed(1)} % of the worker's CPU time per study (${cpuPerStudyMs.toFixed(1)} ms over all threads; target < 10 %)`,
    `inside the worker: inference ${inferenceMs.toFixed(2)} ms wall per study = ${(ownShare * 100).toFixed(1)} % of a study's processing latency (preprocess ${preprocessMs.toFixed(1)} ms + inference), ${(share * 100).toFixed(1)} % of the wall-clock time per study at this throughput`,
    `elapsed ${seconds.toFixed(1)} s for ${STUDIES} studies including model load and start-up`,
  ];
  for (const line of lines) console.log(line);
  writePerformanceSection(
    'Inference worker (`npm run bench:worker`)',
    [
      `Measured ${new Date().toISOString().slice(0, 10)}; model \`${model.name}\`; ${STUDIES} studies from the 24 full-resolution sample JPEGs (mean ${(avgPixels / 1e6).toFixed(2)} MP), backlog published before the worker starts.`,
      '',
      '| figure | value | target |',
      '|---|---|---|',
      `| decode + resize ceiling (the worker's preprocessing alone: ${THREADS} threads, concurrency ${CONCURRENCY}) | ${ceilingRate.toFixed(1)} studies/s | baseline |`,
      `| through the worker (NATS pull, object store read, preprocess, batched ONNX, publish, ack) | ${workerRate.toFixed(1)} studies/s | |`,
      `| CPU per study: decode + resize alone / whole worker (all threads) | ${ceilingCpuMs.toFixed(1)} ms / ${cpuPerStudyMs.toFixed(1)} ms | |`,
      `| worker / ceiling | ${(ratio * 100).toFixed(0)} % | >= 70 % |`,
      `| inference CPU per study (${inferenceCpuMs.toFixed(2)} ms, batches of ${meanBatch.toFixed(1)}) / the worker's CPU per study (${cpuPerStudyMs.toFixed(1)} ms, all threads) | ${(cpuShare * 100).toFixed(1)} % | < 10 % |`,
      `| inside the worker: inference wall time per study (${inferenceMs.toFixed(2)} ms) / a study's processing latency (preprocess ${preprocessMs.toFixed(1)} ms + inference) | ${(ownShare * 100).toFixed(1)} % | |`,
      `| inside the worker: inference wall time / wall-clock time per study at that throughput (${perStudyMs.toFixed(1)} ms) | ${(share * 100).toFixed(1)} % | |`,
      '',
      `Settings: max batch ${batching.maxBatch}, max wait ${batching.maxWaitMs} ms, ${THREADS} preprocessing threads, preprocessing concurrency ${CONCURRENCY}, 1 ONNX intra-op thread. Throughput is the steady state (10th to last prediction).`,
    ].join('\n'),
  );
}

/** Process CPU per study of the model alone (one intra-op thread, as the worker runs it). */
async function inferenceCpuPerStudy(bytes: Uint8Array, inputs: Float32Array[], batch: number): Promise<number> {
  const model = await loadModel(bytes, { intraOpNumThreads: 1 });
  const batches: Float32Array[][] = [];
  for (let i = 0; i < STUDIES; i += batch) batches.push(Array.from({ length: Math.min(batch, STUDIES - i) }, (_, k) => inputs[(i + k) % inputs.length]!));
  await predict(model, batches[0]!); // warm-up
  const cpu0 = process.cpuUsage();
  for (const b of batches) await predict(model, b);
  const cpu = process.cpuUsage(cpu0);
  await model.release();
  return (cpu.user + cpu.system) / 1000 / STUDIES;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
