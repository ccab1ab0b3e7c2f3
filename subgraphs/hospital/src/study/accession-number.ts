import { randomInt } from 'node:crypto';

/** Crockford base32 without I, L, O, U: nothing to misread when the number is read out or typed. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * An accession number for a study whose uploader gave none: "<SLUG>-<yyyymmdd>-<6 random>",
 * e.g. "GENERAL-20260301-7K3Q9X" (30 random bits; a collision is retried by the caller).
 */
export function generateAccessionNumber(hospitalSlug: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  let random = '';
  for (let i = 0; i < 6; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `${hospitalSlug.toUpperCase()}-${day}-${random}`;
}
