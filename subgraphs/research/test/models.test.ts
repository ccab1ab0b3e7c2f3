import { ACTIVE_KEY, activeModelRecord, publishModel as publishToRegistry } from '@triage/model';
import { jetstreamManager } from '@nats-io/jetstream';
import { openKv, openObjectStore } from '@triage/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHADOW_KEY } from '../src/model-version/model-registry.service.js';
import { ModelVersion } from '../src/model-version/model-version.entity.js';
import { createServer } from '../src/server.js';
import { sha256, startHarness, tinyModel, uploadModel, waitFor, type Harness } from './harness.js';

const MODELS = /* GraphQL */ `
  {
    models {
      version
      status
      sha256
      objectKey
      threshold
      publishedBy
      metrics {
        split
        n
        auc
        accuracy
        sensitivity
        specificity
        f1
        ece
        confusion {
          tp
          fp
          tn
          fn
        }
        ci95 {
          metric
          low
          high
        }
      }
      inputSpec {
        size
        crop
        resize
        grayscale
        layout
        normalizeMean
        normalizeStd
      }
    }
    activeModel {
      version
      status
    }
    shadowModel {
      version
      status
    }
  }
`;
interface ModelsResult {
  models: {
    version: string;
    status: string;
    sha256: string;
    objectKey: string;
    threshold: number;
    publishedBy: string;
    metrics: Record<string, unknown>;
    inputSpec: Record<string, unknown>;
  }[];
  activeModel: { version: string; status: string } | null;
  shadowModel: { version: string; status: string } | null;
}

const ACTIVATE = `mutation ($v: String!) { activateModel(version: $v) { version status } }`;
const SHADOW = `mutation ($v: String!) { shadowModel(version: $v) { version status } }`;
const CLEAR_SHADOW = `mutation { clearShadow { version status } }`;
const ROLLBACK = `mutation { rollbackModel { version status } }`;

describe('model registry', () => {
  let h: Harness;
  let v1: Uint8Array;
  let v2: Uint8Array;
  let v3: Uint8Array;
  const status = async (version: string) =>
    (await h.server.orm.em.fork().findOne(ModelVersion, { version }))?.status;
  const kvRecord = async (key: string) => {
    const entry = await (await openKv(h.nc, h.topology.buckets.models)).get(key);
    return entry?.operation === 'PUT'
      ? (entry.json() as { version: string; object: string; sha256: string })
      : null;
  };

  beforeAll(async () => {
    // The upload limit is small here so that refusing an oversized body is cheap to test.
    h = await startHarness({ MAX_MODEL_BYTES: String(64 * 1024) });
    [v1, v2, v3] = await Promise.all([tinyModel('m-1.0'), tinyModel('m-2.0', 6), tinyModel('m-3.0', 2, 0.1)]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('publishes a validated ONNX file without activating it', async () => {
    const res = await uploadModel(h, v1);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      version: 'm-1.0',
      status: 'AVAILABLE',
      sha256: sha256(v1),
      objectKey: 'm-1.0.onnx',
      threshold: 0.5,
      publishedBy: 'researcher-1',
    });
    const stored = await (await openObjectStore(h.nc, h.topology.buckets.models)).getBlob('m-1.0.onnx');
    expect(sha256(stored!)).toBe(sha256(v1));
    // Published is not live: the workers' key is untouched.
    expect(await activeModelRecord(h.nc, h.topology)).toBeNull();

    // The same bytes again: nothing new. Other bytes under the same version: refused.
    expect((await uploadModel(h, v1)).status).toBe(200);
    const clash = await uploadModel(h, await tinyModel('m-1.0', 9));
    expect(clash).toMatchObject({ status: 409, body: { error: 'CONFLICT' } });

    const { data, errors } = await h.gql<ModelsResult>(MODELS);
    expect(errors).toBeUndefined();
    expect(data!.models).toEqual([
      expect.objectContaining({
        version: 'm-1.0',
        status: 'AVAILABLE',
        metrics: expect.objectContaining({
          split: 'none',
          auc: 0.5,
          accuracy: 0.5,
          sensitivity: 0.5,
          specificity: 0.5,
          ci95: [],
        }),
        inputSpec: {
          size: 28,
          crop: 'center-square',
          resize: 'triangle',
          grayscale: true,
          layout: 'NCHW',
          normalizeMean: 0.5,
          normalizeStd: 0.25,
        },
      }),
    ]);
    expect(data!.activeModel).toBeNull();
  });

  it('refuses bodies that are not a usable model, with a clear message', async () => {
    const text = await uploadModel(h, new TextEncoder().encode('definitely not an onnx file'));
    expect(text.status).toBe(400);
    expect(text.body).toMatchObject({ error: 'NOT_AN_ONNX_MODEL' });
    expect(String(text.body.message)).toMatch(/not an ONNX model/);

    expect((await uploadModel(h, new Uint8Array(0))).status).toBe(400);

    // A real ONNX graph whose metadata lost its input spec.
    const withoutSpec = Buffer.from(v2).toString('latin1').replace('input_spec', 'input_spex');
    const noSpec = await uploadModel(h, new Uint8Array(Buffer.from(withoutSpec, 'latin1')));
    expect(noSpec.status).toBe(400);
    expect(noSpec.body).toMatchObject({ error: 'INVALID_MODEL' });
    expect(String(noSpec.body.message)).toMatch(/input_spec/);

    const tooLarge = await uploadModel(h, new Uint8Array(65 * 1024));
    expect(tooLarge).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE' } });

    expect((await uploadModel(h, v2, h.doctor)).status).toBe(403);
    expect((await uploadModel(h, v2, null)).status).toBe(401);
    expect(await h.server.orm.em.fork().count(ModelVersion, {})).toBe(1);
  });

  it('activates a version: the registry key the workers watch switches', async () => {
    expect((await uploadModel(h, v2, h.admin)).status).toBe(201);
    const first = await h.gql(ACTIVATE, { v: 'm-1.0' });
    expect(first.errors).toBeUndefined();
    expect(await activeModelRecord(h.nc, h.topology)).toMatchObject({
      version: 'm-1.0',
      object: 'm-1.0.onnx',
      sha256: sha256(v1),
    });

    const second = await h.gql(ACTIVATE, { v: 'm-2.0' });
    expect(second.data).toEqual({ activateModel: { version: 'm-2.0', status: 'ACTIVE' } });
    expect(await activeModelRecord(h.nc, h.topology)).toMatchObject({ version: 'm-2.0', sha256: sha256(v2) });
    expect(await status('m-1.0')).toBe('RETIRED');

    const unknown = await h.gql(ACTIVATE, { v: 'm-9.9' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await activeModelRecord(h.nc, h.topology))?.version).toBe('m-2.0');
  });

  it('shadows a candidate under the KV key "shadow" and clears it', async () => {
    expect((await uploadModel(h, v3)).status).toBe(201);
    const refused = await h.gql(SHADOW, { v: 'm-2.0' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const shadowed = await h.gql(SHADOW, { v: 'm-3.0' });
    expect(shadowed.data).toEqual({ shadowModel: { version: 'm-3.0', status: 'SHADOW' } });
    expect(await kvRecord(SHADOW_KEY)).toMatchObject({
      version: 'm-3.0',
      object: 'm-3.0.onnx',
      sha256: sha256(v3),
    });
    expect((await kvRecord(ACTIVE_KEY))?.version).toBe('m-2.0');
    const { data } = await h.gql<ModelsResult>(MODELS);
    expect(data).toMatchObject({
      activeModel: { version: 'm-2.0' },
      shadowModel: { version: 'm-3.0', status: 'SHADOW' },
    });

    const cleared = await h.gql(CLEAR_SHADOW);
    expect(cleared.data).toEqual({ clearShadow: { version: 'm-3.0', status: 'AVAILABLE' } });
    expect(await kvRecord(SHADOW_KEY)).toBeNull();
    expect((await h.gql(CLEAR_SHADOW)).data).toEqual({ clearShadow: null });

    // Promoting the shadow model makes it live and ends the shadow run.
    await h.gql(SHADOW, { v: 'm-3.0' });
    expect((await h.gql(ACTIVATE, { v: 'm-3.0' })).data).toEqual({
      activateModel: { version: 'm-3.0', status: 'ACTIVE' },
    });
    expect(await kvRecord(SHADOW_KEY)).toBeNull();
    expect(await status('m-2.0')).toBe('RETIRED');
  });

  it('rolls back to the previously active version, step by step', async () => {
    // Active history: m-1.0, m-2.0, m-3.0.
    expect((await h.gql(ROLLBACK)).data).toEqual({ rollbackModel: { version: 'm-2.0', status: 'ACTIVE' } });
    expect((await activeModelRecord(h.nc, h.topology))?.version).toBe('m-2.0');
    expect(await status('m-3.0')).toBe('RETIRED');
    expect((await h.gql(ROLLBACK)).data).toEqual({ rollbackModel: { version: 'm-1.0', status: 'ACTIVE' } });
    expect((await activeModelRecord(h.nc, h.topology))?.version).toBe('m-1.0');
    const nothingLeft = await h.gql(ROLLBACK);
    expect(nothingLeft.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await activeModelRecord(h.nc, h.topology))?.version).toBe('m-1.0');

    const { data } = await h.gql<{
      modelEvents: { kind: string; version: string; previousVersion: string | null; actor: string }[];
    }>(`{ modelEvents(first: 3) { kind version previousVersion actor } }`);
    expect(data!.modelEvents).toEqual([
      { kind: 'ROLLBACK', version: 'm-1.0', previousVersion: 'm-2.0', actor: 'researcher-1' },
      { kind: 'ROLLBACK', version: 'm-2.0', previousVersion: 'm-3.0', actor: 'researcher-1' },
      { kind: 'ACTIVATE', version: 'm-3.0', previousVersion: 'm-2.0', actor: 'researcher-1' },
    ]);
  });

  it('picks up a model activated elsewhere (model CLI), live and on start', async () => {
    // Published and activated straight in the registry, as `npm run model:publish` does.
    const external = await tinyModel('m-cli', 3);
    await publishToRegistry(h.nc, h.topology, external);
    await waitFor(
      async () => (await status('m-cli')) === 'ACTIVE',
      'the watcher imports the external activation',
    );
    const row = await h.server.orm.em.fork().findOneOrFail(ModelVersion, { version: 'm-cli' });
    expect(row).toMatchObject({ publishedBy: 'registry', sha256: sha256(external), objectKey: 'm-cli.onnx' });
    expect(await status('m-1.0')).toBe('RETIRED');
    // It joins the activation history: rolling back returns to the version active before it.
    expect((await h.gql(ROLLBACK)).data).toEqual({ rollbackModel: { version: 'm-1.0', status: 'ACTIVE' } });

    // The server can drop a KV watch's consumer without a word; the next external activation is
    // still imported (the bucket is also polled).
    const jsm = await jetstreamManager(h.nc);
    const stream = `KV_${h.topology.buckets.models}`;
    for (const consumer of await jsm.consumers.list(stream).next())
      await jsm.consumers.delete(stream, consumer.name);
    await publishToRegistry(h.nc, h.topology, await tinyModel('m-cli-2', 4));
    await waitFor(
      async () => (await status('m-cli-2')) === 'ACTIVE',
      'the follower imports an activation its watch missed',
    );
    expect((await h.gql(ROLLBACK)).data).toEqual({ rollbackModel: { version: 'm-1.0', status: 'ACTIVE' } });

    // A fresh database on the same registry imports the active record when it starts.
    const { createTestDatabase, dropTestDatabase, uniqueName } = await import('@triage/testing');
    const database = uniqueName('researchimport');
    const other = await createServer({ ...h.config, databaseUrl: await createTestDatabase(database) });
    try {
      await other.start();
      const imported = await other.orm.em.fork().find(ModelVersion, {});
      expect(imported.map((m) => [m.version, m.status, m.publishedBy])).toEqual([
        ['m-1.0', 'ACTIVE', 'registry'],
      ]);
    } finally {
      await other.stop();
      await dropTestDatabase(database);
    }
  });
});
