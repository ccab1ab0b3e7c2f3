import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `tri_<16 hex prefix>_<43 base64url secret>`. The prefix finds the row; the
 * stored SHA-256 of the whole key proves it. A 256-bit random secret needs no slow hash (unlike a
 * password there is nothing to brute-force), so exchanges stay cheap.
 */
const API_KEY = /^tri_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedApiKey {
  apiKey: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(8).toString('hex');
  const apiKey = `tri_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { apiKey, prefix, hash: hashApiKey(apiKey) };
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/** The lookup prefix of a well-formed key, or null. */
export function apiKeyPrefix(apiKey: string): string | null {
  return API_KEY.exec(apiKey.trim())?.[1] ?? null;
}

export function apiKeyMatches(apiKey: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(apiKey.trim()), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
