import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NatsTopology } from '@triage/contracts';
import type { NatsConnection } from '@triage/nats';
import { z } from 'zod';
import { activeModelRecord, publishModel, type ActiveModelRecord } from './registry.js';

/** research/models, where the trained model files are committed (src/ and dist/ sit at the same depth). */
export const COMMITTED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../research/models');

const CommittedActive = z.object({
  version: z.string().min(1),
  file: z.string().regex(/^[A-Za-z0-9._-]+\.onnx$/),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
});

export interface CommittedModel {
  version: string;
  path: string;
  sha256: string;
}

/** The model research/models/active.json names (written by `npm run model:train`). */
export async function committedModel(modelsDir = COMMITTED_MODELS_DIR): Promise<CommittedModel> {
  const active = CommittedActive.parse(JSON.parse(await readFile(path.join(modelsDir, 'active.json'), 'utf8')));
  return { version: active.version, path: path.join(modelsDir, active.file), sha256: active.sha256 };
}

export interface EnsureActiveOptions {
  modelsDir?: string;
  /** Publish and activate the committed model even if another one is active. */
  force?: boolean;
}

/**
 * For `npm start`: makes the committed model the active one when the registry has none yet. A
 * model a researcher published since is left alone unless `force` is set.
 */
export async function ensureActiveModel(
  nc: NatsConnection,
  topology: NatsTopology,
  options: EnsureActiveOptions = {},
): Promise<{ record: ActiveModelRecord; published: boolean }> {
  const current = await activeModelRecord(nc, topology);
  if (current && !options.force) return { record: current, published: false };
  const committed = await committedModel(options.modelsDir);
  const bytes = new Uint8Array(await readFile(committed.path));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== committed.sha256) throw new Error(`${committed.path} does not match the SHA-256 in active.json`);
  return { record: await publishModel(nc, topology, bytes), published: true };
}
