/**
 * npm run bench:worker — studies per second through the inference worker on full-resolution
 * JPEGs, against the decode + resize ceiling measured in the same run on the same images.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { committedModel, loadModel, preprocess } from '@triage/model';
import { createLogger } from '@triage/logger';
import { TEST_NATS_URL } from '@triage/testing';
import { parseWorkerConfig } from '../src/env.js';
import { onnxModelLoader } from '../src/onnx-model.js';
import { createWorker } from '../src/worker.js';
import { PipelineHarness, sampleFiles, tinyModel } from '../test/support/harness.js';
import { writePerformanceSection } from './perf-doc.js';

const STUDIES = Number(process.env.BENCH_STUDIES ?? 240);
const CONCURRENCY = Number(process.env.WORKER_PREPROCESS_CONCURRENCY ?? 4);

async function modelBytes(): Promise<{ bytes: Uint8Array; name: string }> {
  try {
    const committed = await committedModel();
    if (existsSync(committed.path)) return { bytes: new Uint8Array(readFileSync(committed.path)), name: committed.version };
  } catch {
    // no committed model yet
  }
  return { bytes: tinyModel('bench-tiny'), name: 'bench-tiny (no committed model found)' };
}

async function ceiling(images: Uint8Array[], spec: Parameters<typeof preprocess>[1]): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < STUDIES) await preprocess(images[next++ % images.length]!, spec);
    }),
  );
  return STUDIES / ((performance.now() - t0) / 1000);
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

  await ceiling(images.slice(0, 8), spec); // warm-up
  const ceilingRate = await ceiling(images, spec);
  console.log(`decode + resize ceiling: ${ceilingRate.toFixed(1)} studies/s (concurrency ${CONCURRENCY})`);

  const h = await new PipelineHarness().start();
  await h.publishModel(model.bytes);
  for (let i = 0; i < STUDIES; i++) await h.publishStudy(images[i % images.length]!);
  const worker = createWorker(
    parseWorkerConfig({ ...process.env, PORT: '0', NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: h.ns, WORKER_PREPROCESS_CONCURRENCY: String(CONCURRENCY) }),
    { log: createLogger({ service: 'bench', level: 'silent' }), loadModel: onnxModelLoader(1) },
  );
  const t0 = performance.now();
  await worker.start();
  let predictions = await h.predictions();
  while (predictions.length < STUDIES) {
    await new Promise((r) => setTimeout(r, 100));
    predictions = await h.predictions();
  }
  const seconds = (performance.now() - t0) / 1000;
  await worker.stop();
  await h.stop();

  // Steady state: from the 10th prediction to the last (excludes model load and consumer start-up).
  const times = predictions.map((p) => Date.parse(p.occurredAt)).sort((a, b) => a - b);
  const steadySeconds = (times[times.length - 1]! - times[9]!) / 1000;
  const workerRate = (times.length - 10) / steadySeconds;
  const perStudyMs = 1000 / workerRate;
  void seconds;
  const inferenceMs = predictions.reduce((s, p) => s + p.timings.inferenceMs, 0) / predictions.length;
  const preprocessMs = predictions.reduce((s, p) => s + p.timings.preprocessMs, 0) / predictions.length;
  const ratio = workerRate / ceilingRate;
  const share = inferenceMs / perStudyMs;
  // The study's own processing time: its preprocessing plus its share of the batch's inference.
  const ownShare = inferenceMs / (preprocessMs + inferenceMs);
  const lines = [
    `worker: ${workerRate.toFixed(1)} studies/s steady state (${perStudyMs.toFixed(1)} ms of wall clock per study, incl. NATS and object store)`,
    `worker / ceiling: ${(ratio * 100).toFixed(0)} % (target >= 70 %)`,
    `inference: ${inferenceMs.toFixed(2)} ms per study = ${(ownShare * 100).toFixed(1)} % of a study's processing time (preprocess ${preprocessMs.toFixed(1)} ms + inference), ${(share * 100).toFixed(1)} % of the wall-clock time per study at this throughput (target < 10 %)`,
  ];
  for (const line of lines) console.log(line);
  writePerformanceSection(
    'Inference worker (`npm run bench:worker`)',
    [
      `Measured ${new Date().toISOString().slice(0, 10)}; model \`${model.name}\`; ${STUDIES} studies from the 24 full-resolution sample JPEGs (mean ${(avgPixels / 1e6).toFixed(2)} MP), backlog published before the worker starts.`,
      '',
      '| figure | value | target |',
      '|---|---|---|',
      `| decode + resize ceiling (sharp, concurrency ${CONCURRENCY}) | ${ceilingRate.toFixed(1)} studies/s | baseline |`,
      `| through the worker (NATS pull, object store read, preprocess, batched ONNX, publish, ack) | ${workerRate.toFixed(1)} studies/s | |`,
      `| worker / ceiling | ${(ratio * 100).toFixed(0)} % | >= 70 % |`,
      `| inference share of a study's processing time (preprocess ${preprocessMs.toFixed(1)} ms + inference ${inferenceMs.toFixed(2)} ms) | ${(ownShare * 100).toFixed(1)} % | < 10 % |`,
      `| inference share of wall-clock time per study at that throughput (${perStudyMs.toFixed(1)} ms) | ${(share * 100).toFixed(1)} % | |`,
      '',
      `Settings: max batch ${process.env.WORKER_MAX_BATCH ?? 16}, max wait ${process.env.WORKER_MAX_WAIT_MS ?? 10} ms, preprocessing concurrency ${CONCURRENCY}, 1 ONNX intra-op thread. Throughput is the steady state (10th to last prediction).`,
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
