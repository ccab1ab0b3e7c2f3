import { createHmac } from 'node:crypto';

/**
 * The research identity of a patient: HMAC-SHA256(secret, "<hospitalId>:<mrn>"), hex, 32 characters
 * (128 bits). The same patient at the same hospital always gets the same pseudonym; without the
 * hospital's secret nothing maps back, not even by trying every plausible MRN.
 */
export function patientPseudonym(secret: string, hospitalId: string, mrn: string): string {
  return createHmac('sha256', secret).update(`${hospitalId.toLowerCase()}:${mrn}`).digest('hex').slice(0, 32);
}

/** The key of the hospital's UID mapping (U action), kept apart from the pseudonym key. */
export function uidMappingKey(secret: string, hospitalId: string): Buffer {
  return createHmac('sha256', secret).update(`dicom-uid-mapping:${hospitalId.toLowerCase()}`).digest();
}

/** Whole years from `birthDate` ("YYYY-MM-DD") to `at` (UTC); null when unknown or negative. */
export function ageInYears(birthDate: string | null, at: Date): number | null {
  if (!birthDate) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  let age = at.getUTCFullYear() - year;
  const beforeBirthday = at.getUTCMonth() + 1 < month || (at.getUTCMonth() + 1 === month && at.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age >= 0 ? age : null;
}

/**
 * Five-year age bands at the time of the study ("0-4", "5-9", ... "85-89"), and "90+" for the ages
 * HIPAA Safe Harbor does not allow to be told apart. Null when the birth date is unknown.
 */
export function ageBand(birthDate: string | null, studyDate: Date): string | null {
  const age = ageInYears(birthDate, studyDate);
  if (age === null) return null;
  if (age >= 90) return '90+';
  const low = Math.floor(age / 5) * 5;
  return `${low}-${low + 4}`;
}

/** The calendar year of the study (UTC): the only date research gets. */
export const studyYear = (acquiredAt: Date): number => acquiredAt.getUTCFullYear();
