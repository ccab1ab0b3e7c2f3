import { badInput } from '@triage/auth';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9-]{1,63}$/;
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isUuid = (value: string): boolean => UUID.test(value);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function requireEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (!EMAIL.test(normalized) || normalized.length > 254) throw badInput(`"${email}" is not a valid email address`);
  return normalized;
}

export function requireSlug(slug: string): string {
  if (!SLUG.test(slug)) throw badInput('slug must be 1 to 63 characters of a-z, 0-9 and "-"');
  return slug;
}

export function requireText(field: string, value: string, max = 200): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(`${field} must not be empty`);
  if (trimmed.length > max) throw badInput(`${field} must be at most ${max} characters`);
  return trimmed;
}

export function requireHttpUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badInput(`${field} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput(`${field} must be an http(s) URL`);
  return value.trim();
}
