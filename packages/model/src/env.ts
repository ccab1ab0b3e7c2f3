import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv, z } from '@triage/config';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The PneumoniaMNIST file outside the repository, as research/ resolves it. */
export const DEFAULT_NPZ = path.resolve(REPO_ROOT, '../shared/data/pneumoniamnist.npz');

export const modelEnvSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only')
    .default(''),
  TRIAGE_DATA_NPZ: z.string().min(1).default(DEFAULT_NPZ),
});
export type ModelEnv = z.infer<typeof modelEnvSchema>;

export function loadModelEnv(env: NodeJS.ProcessEnv = process.env): ModelEnv {
  return parseEnv(modelEnvSchema, env);
}
