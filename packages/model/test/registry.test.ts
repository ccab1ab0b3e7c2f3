import { readFile } from 'node:fs/promises';
import { natsTopology } from '@triage/contracts';
import { connectNats, destroyNamespace, type NatsConnection } from '@triage/nats';
import { uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureActiveModel } from '../src/committed.js';
import { ModelMetadataError } from '../src/metadata.js';
import { loadModel } from '../src/model.js';
import { activeModel, activeModelRecord, publishModel, watchActiveModel, type ActiveModelRecord } from '../src/registry.js';
import { MODELS_DIR, modelFiles, withMetadataProp } from './helpers.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('model registry on NATS (Object Store + KV "active")', () => {
  const topology = natsTopology(uniqueName('model'));
  let nc: NatsConnection;
  let bytes: Uint8Array;
  let version: string;

  beforeAll(async () => {
    nc = await connectNats({ url: NATS_URL, name: 'model-registry-test' });
    const files = await modelFiles();
    bytes = new Uint8Array(await readFile(files.path));
    version = files.version;
  });
  afterAll(async () => {
    await destroyNamespace(nc, topology);
    await nc.close();
  });

  it('has no active model in a fresh namespace', async () => {
    expect(await activeModelRecord(nc, topology)).toBeNull();
    expect(await activeModel(nc, topology)).toBeNull();
  });

  it('npm start: activates the committed model when none is active', async () => {
    const first = await ensureActiveModel(nc, topology, { modelsDir: MODELS_DIR });
    expect(first.published).toBe(true);
    expect(first.record.version).toBe(version);
    const again = await ensureActiveModel(nc, topology, { modelsDir: MODELS_DIR });
    expect(again.published).toBe(false);
  });

  it('publishes under <version>.onnx and round-trips the exact bytes with their SHA-256', async () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const record = await publishModel(nc, topology, bytes, { now: () => now });
    expect(record).toMatchObject({ version, object: `${version}.onnx`, publishedAt: now.toISOString() });
    const active = await activeModel(nc, topology);
    expect(active?.record).toEqual(record);
    expect(Buffer.from(active!.bytes).equals(Buffer.from(bytes))).toBe(true);
    const loaded = await loadModel(active!.bytes);
    expect(loaded.sha256).toBe(record.sha256);
    await loaded.release();
  });

  it('switches workers to a new version and refuses different bytes under an existing version', async () => {
    const seen: ActiveModelRecord[] = [];
    const stop = await watchActiveModel(nc, topology, (r) => {
      seen.push(r);
    });
    const next = withMetadataProp(withMetadataProp(bytes, 'version', `${version}-b`), 'note', 'retrained');
    const record = await publishModel(nc, topology, next);
    expect(record.version).toBe(`${version}-b`);
    expect((await activeModelRecord(nc, topology))?.version).toBe(`${version}-b`);
    await expect.poll(() => seen.map((r) => r.version)).toContain(`${version}-b`);
    stop();

    const tampered = withMetadataProp(bytes, 'note', 'same version, other bytes');
    await expect(publishModel(nc, topology, tampered)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await activeModelRecord(nc, topology))?.version).toBe(`${version}-b`);

    const forced = await ensureActiveModel(nc, topology, { modelsDir: MODELS_DIR, force: true });
    expect(forced).toMatchObject({ published: true, record: { version } });
  });

  it('refuses a file without valid metadata and leaves the active model alone', async () => {
    const broken = withMetadataProp(bytes, 'threshold', '2');
    await expect(publishModel(nc, topology, broken)).rejects.toThrow(ModelMetadataError);
    await expect(publishModel(nc, topology, new Uint8Array([1, 2, 3]))).rejects.toThrow();
    expect((await activeModelRecord(nc, topology))?.version).toBe(version);
  });
});
