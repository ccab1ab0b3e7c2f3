import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@triage/logger';
import { jetstreamManager } from '@nats-io/jetstream';
import { openKv } from '@triage/nats';
import { eventually, TEST_NATS_URL } from '@triage/testing';
import sharp from 'sharp';
import { parseWorkerConfig } from '../src/env.js';
import { onnxModelLoader } from '../src/onnx-model.js';
import { createWorker, type Worker } from '../src/worker.js';
import { greyImage, modelRecord, PipelineHarness, REPO_ROOT, sampleFiles, tinyModel } from './support/harness.js';

const log = createLogger({ service: 'worker-test', level: 'silent' });

function startWorker(h: PipelineHarness, env: Record<string, string> = {}): Worker {
  const config = parseWorkerConfig({
    PORT: '0',
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: h.ns,
    WORKER_MAX_DELIVERIES: '3',
    WORKER_MAX_WAIT_MS: '20',
    ...env,
  });
  // As deployed: images are preprocessed on the worker's threads (WORKER_PREPROCESS_THREADS).
  return createWorker(config, { log, loadModel: onnxModelLoader(1, config.preprocessThreads) });
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('inference worker', () => {
  let h: PipelineHarness;
  let worker: Worker | undefined;

  beforeAll(async () => {
    h = await new PipelineHarness().start();
    await h.publishModel(tinyModel('tiny-1'));
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });
  afterAll(async () => {
    await h.stop();
  });

  it('scores each of the 24 sample X-rays exactly once, naming the model that made each prediction', async () => {
    worker = startWorker(h);
    await worker.start();
    const ids: string[] = [];
    for (const file of sampleFiles()) ids.push(await h.publishStudy(new Uint8Array(readFileSync(file))));
    const predictions = await eventually(async () => {
      const p = await h.predictions();
      return p.filter((x) => ids.includes(x.studyId)).length >= ids.length ? p : undefined;
    }, 30_000, 'a prediction per sample');
    const mine = predictions.filter((p) => ids.includes(p.studyId));
    expect(mine).toHaveLength(24);
    expect([...countBy(mine, (p) => p.studyId).values()].every((n) => n === 1)).toBe(true);
    for (const p of mine) {
      expect(p.modelVersion).toBe('tiny-1');
      expect(p.risk).toBeGreaterThanOrEqual(0);
      expect(p.risk).toBeLessThanOrEqual(1);
      expect(p.label).toBe(p.risk >= 0.5 ? 'pneumonia' : 'normal');
      expect(p.timings.inferenceMs).toBeGreaterThan(0);
    }
    const res = await fetch(`${worker.url()}/metrics`);
    expect(await res.text()).toMatch(/inference_studies_processed_total\{[^}]*model_version="tiny-1"[^}]*\} \d+/);
  });

  it('dead-letters undecodable, non-image and missing images with the reason, and keeps serving', async () => {
    worker = startWorker(h);
    await worker.start();
    const corrupt = new Uint8Array(readFileSync(sampleFiles()[0]!)).subarray(0, 2000);
    const corruptId = await h.publishStudy(corrupt);
    const textId = await h.publishStudy(new TextEncoder().encode('this is not an x-ray'), 'text/plain');
    const zeroId = await h.publishStudy(new Uint8Array(0));
    const good = await greyImage(128, 64, 48);
    const goodId = await h.publishStudy(good, 'image/png');
    const dead = await eventually(async () => {
      const d = await h.deadLetters();
      return [corruptId, textId, zeroId].every((id) => d.some((x) => x.studyId === id)) ? d : undefined;
    }, 30_000, 'three dead letters');
    for (const id of [corruptId, textId, zeroId]) {
      const letter = dead.find((d) => d.studyId === id)!;
      expect(letter.reason).toMatch(/could not be preprocessed|not found/);
      expect(letter.hospitalId).toBe(h.hospitalId);
    }
    await eventually(async () => ((await h.predictions()).some((p) => p.studyId === goodId) ? true : undefined), 15_000, 'the good study');
    const predicted = new Set((await h.predictions()).map((p) => p.studyId));
    expect(predicted.has(corruptId) || predicted.has(textId) || predicted.has(zeroId)).toBe(false);
  });

  it('swaps to a newly activated model during a stream of studies without losing one', async () => {
    worker = startWorker(h);
    await worker.start();
    const image = await greyImage(200, 96, 96);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      ids.push(await h.publishStudy(image, 'image/png'));
      if (i === 25) await h.publishModel(tinyModel('tiny-2', -4));
      await new Promise((r) => setTimeout(r, 15));
    }
    const mine = await eventually(async () => {
      const p = (await h.predictions()).filter((x) => ids.includes(x.studyId));
      return p.length >= ids.length ? p : undefined;
    }, 30_000, 'all 60 predictions');
    expect(mine).toHaveLength(60);
    expect(new Set(mine.map((p) => p.studyId)).size).toBe(60);
    const versions = countBy(mine, (p) => p.modelVersion);
    expect(versions.get('tiny-1')).toBeGreaterThan(0);
    expect(versions.get('tiny-2')).toBeGreaterThan(0);
    // Each prediction is consistent with the model it names (tiny-2 inverts the score).
    for (const p of mine) expect(p.modelVersion === 'tiny-1' ? p.risk > 0.5 : p.risk < 0.5).toBe(true);
  });
  it('keeps following the model registry after the server drops its watch', async () => {
    worker = startWorker(h);
    await worker.start();
    // The watch's consumer vanishing ends a KV watch silently (as when the server drops it under load).
    const jsm = await jetstreamManager(h.nc);
    const registryStream = `KV_${h.topology.buckets.models}`;
    for (const consumer of await jsm.consumers.list(registryStream).next()) await jsm.consumers.delete(registryStream, consumer.name);
    await h.publishModel(tinyModel('tiny-after-watch', -4));
    const image = await greyImage(120);
    const scored = await eventually(async () => {
      const id = await h.publishStudy(image, 'image/png');
      const prediction = await eventually(async () => (await h.predictions()).find((p) => p.studyId === id), 10_000, 'a prediction');
      return prediction.modelVersion === 'tiny-after-watch' ? prediction : undefined;
    }, 30_000, 'a prediction by the newly activated model');
    expect(scored.shadow).toBe(false);
  });
});

describe('inference worker, model pointer ahead of its object', () => {
  let h: PipelineHarness;
  let worker: Worker | undefined;

  beforeAll(async () => {
    h = await new PipelineHarness().start();
    await h.publishModel(tinyModel('tiny-first'));
  });
  afterAll(async () => {
    await worker?.stop();
    await h.stop();
  });

  it('keeps trying to load a model it could not read, and switches once it can', { timeout: 90_000 }, async () => {
    worker = startWorker(h);
    await worker.start();
    // The registry names a version whose ONNX object cannot be read yet (a copy still on its way,
    // NATS too busy to answer): the first loads fail, and the worker keeps the previous model.
    const bytes = tinyModel('tiny-late', -4);
    const record = modelRecord('tiny-late', bytes);
    await (await openKv(h.nc, h.topology.buckets.models)).put('active', JSON.stringify(record));
    const image = await greyImage(90);
    await new Promise((r) => setTimeout(r, 1_500));
    const early = await h.publishStudy(image, 'image/png');
    const before = await eventually(async () => (await h.predictions()).find((p) => p.studyId === early), 10_000, 'a prediction');
    expect(before.modelVersion).toBe('tiny-first');

    await h.storeModelObject(record.version, bytes);
    const scored = await eventually(async () => {
      const id = await h.publishStudy(image, 'image/png');
      const prediction = await eventually(async () => (await h.predictions()).find((p) => p.studyId === id), 10_000, 'a prediction');
      return prediction.modelVersion === 'tiny-late' ? prediction : undefined;
    }, 60_000, 'a prediction by the model once it could be read');
    expect(scored.shadow).toBe(false);
  });
});

describe('inference worker with a shadow model', () => {
  let h: PipelineHarness;
  let worker: Worker;

  beforeAll(async () => {
    h = await new PipelineHarness().start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h.stop();
  });

  it('also scores live traffic with the shadow candidate, marked as shadow, until the key is removed', async () => {
    const shadow = await h.publishModel(tinyModel('tiny-shadow', -4)); // publishing activates; re-activate below
    await h.publishModel(tinyModel('tiny-live'));
    const kv = await openKv(h.nc, h.topology.buckets.models);
    await kv.put('shadow', JSON.stringify(shadow));
    worker = startWorker(h);
    await worker.start();
    const image = await greyImage(220);
    const shadowed: string[] = [];
    for (let i = 0; i < 5; i++) shadowed.push(await h.publishStudy(image, 'image/png'));
    const both = await eventually(async () => {
      const p = (await h.predictions()).filter((x) => shadowed.includes(x.studyId));
      return p.length >= 10 ? p : undefined;
    }, 20_000, 'active and shadow predictions');
    expect(both.filter((p) => !p.shadow).every((p) => p.modelVersion === 'tiny-live')).toBe(true);
    expect(both.filter((p) => p.shadow).map((p) => p.modelVersion)).toEqual(Array(5).fill('tiny-shadow'));
    expect(new Set(both.filter((p) => p.shadow).map((p) => p.studyId))).toEqual(new Set(shadowed));

    await kv.delete('shadow');
    await new Promise((r) => setTimeout(r, 300));
    const after = await h.publishStudy(image, 'image/png');
    await eventually(async () => ((await h.predictions()).some((p) => p.studyId === after) ? true : undefined), 20_000, 'a prediction');
    await new Promise((r) => setTimeout(r, 500));
    const forAfter = (await h.predictions()).filter((p) => p.studyId === after);
    expect(forAfter.map((p) => [p.modelVersion, p.shadow])).toEqual([['tiny-live', false]]);
  });
});

describe('inference worker with a shadow model of other normalisation', () => {
  let h: PipelineHarness;
  let worker: Worker | undefined;

  beforeAll(async () => {
    h = await new PipelineHarness().start();
    await h.publishModel(tinyModel('tiny-live'));
  });
  afterAll(async () => {
    await worker?.stop();
    await h.stop();
  });

  it('scores a shadow trained with other normalisation statistics on the same images, as if preprocessed for it', async () => {
    // A model trained on more data normalises with slightly other statistics: same pixels, other tensor.
    const normalize = { mean: 0.6, std: 0.2 };
    const record = await h.storeModelObject('tiny-renorm', tinyModel('tiny-renorm', -4, 0, normalize));
    await (await openKv(h.nc, h.topology.buckets.models)).put('shadow', JSON.stringify(record));
    worker = startWorker(h);
    await worker.start();
    const image = await greyImage(220);
    const shadow = await eventually(async () => {
      const id = await h.publishStudy(image, 'image/png');
      return eventually(async () => (await h.predictions()).find((p) => p.studyId === id && p.shadow), 3_000, 'a shadow prediction').catch(() => undefined);
    }, 30_000, 'a shadow prediction by the re-normalising candidate');
    expect(shadow.modelVersion).toBe('tiny-renorm');
    const logit = -4 * ((220 / 255 - normalize.mean) / normalize.std);
    expect(shadow.risk).toBeCloseTo(1 / (1 + Math.exp(-logit)), 5);
  });
});

describe('inference worker killed mid-stream', () => {
  let h: PipelineHarness;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    h = await new PipelineHarness().start();
    await h.publishModel(tinyModel('tiny-kill'));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await h.stop();
  });

  const spawnWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'inference-worker/src/main.ts')], {
      env: {
        ...process.env,
        PORT: '0',
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: h.ns,
        WORKER_ACK_WAIT_MS: '3000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: path.join(REPO_ROOT, 'inference-worker'),
    });
    children.push(child);
    return child;
  };

  it('after SIGKILL and a restart, all 200 studies have exactly one prediction', { timeout: 180_000 }, async () => {
    // A real X-ray, downsized so 200 of them stay quick on a busy 2-core machine.
    const image = new Uint8Array(await sharp(readFileSync(sampleFiles()[3]!)).resize({ width: 384 }).jpeg().toBuffer());
    const first = spawnWorker();
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push(await h.publishStudy(image));
      if (i === 60) {
        // Kill once the worker is busy with the stream.
        await eventually(async () => ((await h.predictions()).length > 10 ? true : undefined), 30_000, 'first predictions');
        first.kill('SIGKILL');
        await new Promise((r) => first.once('exit', r));
        spawnWorker();
      }
    }
    const mine = await eventually(async () => {
      const p = (await h.predictions()).filter((x) => ids.includes(x.studyId));
      return p.length >= 200 ? p : undefined;
    }, 90_000, 'all 200 predictions');
    await new Promise((r) => setTimeout(r, 4_000)); // any late redelivery would show now
    const after = (await h.predictions()).filter((x) => ids.includes(x.studyId));
    expect(after).toHaveLength(200);
    expect(new Set(after.map((p) => p.studyId)).size).toBe(200);
    expect(mine).toHaveLength(200);
  });
});
