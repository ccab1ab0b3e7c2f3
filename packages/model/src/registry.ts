import { createHash } from 'node:crypto';
import type { NatsTopology } from '@triage/contracts';
import { followKvKey, openKv, openObjectStore, type NatsConnection } from '@triage/nats';
import { z } from 'zod';
import { parseModelMetadata, readMetadataProps } from './metadata.js';
import { loadModel } from './model.js';

/**
 * The model registry on NATS: ONNX files in the Object Store bucket `models` under
 * `<version>.onnx`, and the KV bucket of the same name whose key `active` says which one the
 * inference workers run. Publishing a new version switches every worker without a redeploy.
 */

export const ACTIVE_KEY = 'active';

export const ActiveModelRecord = z.object({
  version: z.string().min(1).max(64),
  object: z.string().min(1),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  publishedAt: z.string().datetime({ offset: true }),
});
export type ActiveModelRecord = z.infer<typeof ActiveModelRecord>;

export class ModelRegistryError extends Error {
  constructor(
    message: string,
    readonly code: 'CONFLICT' | 'NOT_FOUND' | 'CORRUPT' = 'CORRUPT',
  ) {
    super(message);
    this.name = 'ModelRegistryError';
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Compares the Object Store's digest ("SHA-256=" + base64, url alphabet, padded or not) with the bytes. */
function digestMatches(objectDigest: string, bytes: Uint8Array): boolean {
  const canonical = (b64: string) => b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (!objectDigest.startsWith('SHA-256=')) return false;
  return canonical(objectDigest.slice('SHA-256='.length)) === createHash('sha256').update(bytes).digest('base64url');
}

export interface PublishOptions {
  /** Load the file with onnxruntime before publishing (default true): never activate a model that cannot run. */
  verify?: boolean;
  now?: () => Date;
}

/**
 * Stores the ONNX file under `<version>.onnx` and makes it the active model. A version is
 * immutable: re-publishing the same bytes just re-activates it, different bytes under an existing
 * version are refused (CONFLICT).
 */
export async function publishModel(
  nc: NatsConnection,
  topology: NatsTopology,
  bytes: Uint8Array,
  options: PublishOptions = {},
): Promise<ActiveModelRecord> {
  const metadata = parseModelMetadata(readMetadataProps(bytes));
  if (options.verify ?? true) {
    const model = await loadModel(bytes, { intraOpNumThreads: 1 });
    await model.release();
  }
  const object = `${metadata.version}.onnx`;
  const store = await openObjectStore(nc, topology.buckets.models);
  const existing = await store.info(object);
  if (existing && !existing.deleted) {
    if (!digestMatches(existing.digest, bytes)) {
      throw new ModelRegistryError(`version ${metadata.version} is already published with different bytes`, 'CONFLICT');
    }
  } else {
    await store.putBlob({ name: object, description: `pneumonia model ${metadata.version}` }, bytes);
  }
  const record: ActiveModelRecord = {
    version: metadata.version,
    object,
    sha256: sha256(bytes),
    publishedAt: (options.now?.() ?? new Date()).toISOString(),
  };
  const kv = await openKv(nc, topology.buckets.models);
  await kv.put(ACTIVE_KEY, JSON.stringify(ActiveModelRecord.parse(record)));
  return record;
}

/** The active record, or null when no model was ever published. */
export async function activeModelRecord(nc: NatsConnection, topology: NatsTopology): Promise<ActiveModelRecord | null> {
  const kv = await openKv(nc, topology.buckets.models);
  const entry = await kv.get(ACTIVE_KEY);
  if (!entry || entry.operation !== 'PUT') return null;
  return ActiveModelRecord.parse(entry.json());
}

/** Fetches the bytes of a published model and checks them against the record's SHA-256. */
export async function fetchModel(nc: NatsConnection, topology: NatsTopology, record: ActiveModelRecord): Promise<Uint8Array> {
  const store = await openObjectStore(nc, topology.buckets.models);
  const bytes = await store.getBlob(record.object);
  if (!bytes) throw new ModelRegistryError(`model object ${record.object} is missing`, 'NOT_FOUND');
  if (sha256(bytes) !== record.sha256) throw new ModelRegistryError(`model object ${record.object} does not match its SHA-256`);
  return bytes;
}

/** The active model's record and bytes, or null when none is published. */
export async function activeModel(
  nc: NatsConnection,
  topology: NatsTopology,
): Promise<{ record: ActiveModelRecord; bytes: Uint8Array } | null> {
  const record = await activeModelRecord(nc, topology);
  return record ? { record, bytes: await fetchModel(nc, topology, record) } : null;
}

/**
 * Calls `onChange` with the current active record and with every later change: the worker's hook
 * for swapping the model on the fly. Returns a function that stops watching.
 */
export async function watchActiveModel(
  nc: NatsConnection,
  topology: NatsTopology,
  onChange: (record: ActiveModelRecord) => void | Promise<void>,
  onError: (error: unknown) => void = () => undefined,
): Promise<() => void> {
  const kv = await openKv(nc, topology.buckets.models);
  // Changes are handed on one at a time, in order; followKvKey survives a watch the server drops.
  let handled: Promise<void> = Promise.resolve();
  const follower = await followKvKey(kv, ACTIVE_KEY, (entry) => {
    if (entry.operation !== 'PUT') return;
    handled = handled.then(async () => {
      try {
        await onChange(ActiveModelRecord.parse(entry.json()));
      } catch (error) {
        onError(error);
      }
    });
  });
  return () => follower.stop();
}
