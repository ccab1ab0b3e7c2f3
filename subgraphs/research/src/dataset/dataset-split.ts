import { createHash } from 'node:crypto';
import type { Split } from './dataset-example.entity.js';

/** Train / validation / test shares of the deterministic split. */
export const SPLIT_SHARES = { train: 0.8, val: 0.1 } as const;

/**
 * The split of a patient, from a hash of the patient's keyed pseudonym (scoped to its hospital):
 * deterministic, so a dataset frozen again keeps every example in its split, and per patient, so
 * two films of one patient never end up on both sides of the train / test line.
 */
export function splitOf(hospitalId: string, pseudonym: string): Split {
  const digest = createHash('sha256').update(`split:v1:${hospitalId}:${pseudonym}`).digest();
  const u = digest.readUInt32BE(0) / 2 ** 32;
  if (u < SPLIT_SHARES.train) return 'train';
  if (u < SPLIT_SHARES.train + SPLIT_SHARES.val) return 'val';
  return 'test';
}

export interface ContentLine {
  exampleId: string;
  imageSha256: string;
  label: number;
}

/** SHA-256 over "<exampleId> <imageSha256> <label>" lines sorted by example id. */
export function datasetContentHash(lines: readonly ContentLine[]): string {
  const hash = createHash('sha256').update('pneumonia-triage dataset v1\n');
  const sorted = [...lines].sort((a, b) => (a.exampleId < b.exampleId ? -1 : a.exampleId > b.exampleId ? 1 : 0));
  for (const line of sorted) hash.update(`${line.exampleId} ${line.imageSha256} ${line.label}\n`);
  return hash.digest('hex');
}
