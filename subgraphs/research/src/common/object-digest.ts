import { createHash } from 'node:crypto';
import type { ObjectStore } from '@triage/nats';

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Compares an Object Store digest ("SHA-256=" + base64, either alphabet, padded or not) with bytes. */
export function digestMatches(objectDigest: string, bytes: Uint8Array): boolean {
  return digestIsSha256(objectDigest, sha256Hex(bytes));
}

/** Whether an Object Store digest is the given SHA-256 (hex). */
export function digestIsSha256(objectDigest: string, sha256: string): boolean {
  const canonical = (b64: string) => b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (!objectDigest.startsWith('SHA-256=')) return false;
  return canonical(objectDigest.slice('SHA-256='.length)) === Buffer.from(sha256, 'hex').toString('base64url');
}

/**
 * Stores `bytes` under `name` unless the same bytes are already there. Returns 'stored',
 * 'existing', or 'different' when other bytes hold the name (nothing is overwritten).
 */
export async function putIfAbsent(
  store: ObjectStore,
  name: string,
  bytes: Uint8Array,
  meta: { description?: string; metadata?: Record<string, string> } = {},
): Promise<'stored' | 'existing' | 'different'> {
  const existing = await store.info(name);
  if (existing && !existing.deleted) return digestMatches(existing.digest, bytes) ? 'existing' : 'different';
  await store.putBlob({ name, ...meta }, bytes);
  return 'stored';
}
