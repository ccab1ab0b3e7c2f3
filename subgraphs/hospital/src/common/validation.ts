import { badInput } from '@triage/auth';

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** DICOM "code string" values: upper-case letters, digits, space and underscore. */
const DICOM_CODE = /^[A-Z0-9_ ]+$/;
/** Modality clocks drift; an acquisition slightly in the future is accepted. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw badInput(`${field} must be a UUID`);
  return value.toLowerCase();
}

/** Trimmed, non-empty, bounded text without control characters. */
export function requireText(value: string, field: string, maxLength: number): string {
  const text = value.trim();
  if (!text) throw badInput(`${field} must not be empty`);
  if (text.length > maxLength) throw badInput(`${field} must be at most ${maxLength} characters`);
  if (CONTROL_CHARACTERS.test(text)) throw badInput(`${field} must not contain control characters`);
  return text;
}

/** DICOM code strings (modality, body part) are stored upper-case. */
export function requireDicomCode(value: string, field: string, maxLength: number): string {
  const code = requireText(value, field, maxLength).toUpperCase();
  if (!DICOM_CODE.test(code)) throw badInput(`${field} must contain only letters, digits, spaces and underscores`);
  return code;
}

/** A "YYYY-MM-DD" birth date (format already checked by the LocalDate scalar) that is not in the future. */
export function requireBirthDate(value: string, now = new Date()): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw badInput('birthDate must be a calendar date "YYYY-MM-DD"');
  }
  if (date.getUTCFullYear() < 1880) throw badInput('birthDate must not be before 1880');
  if (value > now.toISOString().slice(0, 10)) throw badInput('birthDate must not be in the future');
  return value;
}

export function requireAcquiredAt(value: Date, now = new Date()): Date {
  if (Number.isNaN(value.getTime())) throw badInput('acquiredAt must be a valid date-time');
  if (value.getTime() > now.getTime() + CLOCK_SKEW_MS) throw badInput('acquiredAt must not be in the future');
  return value;
}
