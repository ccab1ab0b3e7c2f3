import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface HospitalSecrets {
  /** Keys the pseudonyms and UID mapping of de-identified research copies. */
  deidSecret: string;
}

/**
 * Per-hospital secrets for the local stack, generated once and kept in DATA_DIR/secrets.json
 * (mode 600). Changing one would change every pseudonym, so they are never regenerated.
 */
export function hospitalSecrets(dataDir: string, slugs: string[]): Record<string, HospitalSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, HospitalSecrets>) : {};
  let changed = false;
  for (const slug of slugs) {
    if (!stored[slug]) {
      stored[slug] = { deidSecret: randomBytes(32).toString('base64url') };
      changed = true;
    }
  }
  if (changed) writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}
