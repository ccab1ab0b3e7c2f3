/** Display helpers shared by the screens. Pure, so the wording is tested once. */

export type RiskLevel = 'high' | 'medium' | 'low' | 'unknown';

/** Colour bands of the risk badge; the percentage is always shown too, so colour is never the only cue. */
export function riskLevel(risk: number | null | undefined): RiskLevel {
  if (risk == null || Number.isNaN(risk)) return 'unknown';
  if (risk >= 0.7) return 'high';
  if (risk >= 0.4) return 'medium';
  return 'low';
}

export function formatRisk(risk: number | null | undefined): string {
  if (risk == null || Number.isNaN(risk)) return '—';
  return `${Math.round(risk * 100)}%`;
}

export function formatThreshold(threshold: number): string {
  return `${Math.round(threshold * 1000) / 10}%`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : dateTime.format(at);
}

export function formatTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : timeOnly.format(at);
}

/** Whole years between a "YYYY-MM-DD" birth date and `now`; null when the date is unusable. */
export function ageInYears(birthDate: string | null | undefined, now: Date = new Date()): number | null {
  if (!birthDate) return null; // a DICOM header may carry no birth date
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = now.getFullYear() - year;
  const beforeBirthday = now.getMonth() + 1 < month || (now.getMonth() + 1 === month && now.getDate() < day);
  if (beforeBirthday) age -= 1;
  return age >= 0 ? age : null;
}

const SEX_LABELS: Record<string, string> = { FEMALE: 'Female', MALE: 'Male', OTHER: 'Other', UNKNOWN: 'Unknown' };

export function sexLabel(sex: string): string {
  return SEX_LABELS[sex] ?? sex;
}

const STATUS_LABELS: Record<string, string> = {
  AWAITING_IMAGE: 'Awaiting image',
  AWAITING_PREDICTION: 'Awaiting model',
  WAITING: 'Waiting for review',
  REVIEWED: 'Reviewed',
};

export function triageStatusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

const FINDING_LABELS: Record<string, string> = { PNEUMONIA: 'Pneumonia', NORMAL: 'Normal', UNCERTAIN: 'Uncertain' };

export function findingLabel(finding: string): string {
  return FINDING_LABELS[finding] ?? finding;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
