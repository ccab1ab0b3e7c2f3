import { describe, expect, it } from 'vitest';
import { ageBand, ageInYears, patientPseudonym, studyYear, uidMappingKey } from './pseudonym.js';

const SECRET = 'a-hospital-secret-of-at-least-32-characters';
const HOSPITAL = '0b6f3d3e-3c1a-4a57-9d4e-2f7f0f8f2d11';
const OTHER_HOSPITAL = '7d0f0a55-8f0e-4f6e-bb51-6d6cbe0d8c42';

describe('patientPseudonym', () => {
  it('is 32 hex characters, stable for the same patient at the same hospital', () => {
    const p = patientPseudonym(SECRET, HOSPITAL, 'MRN-001');
    expect(p).toMatch(/^[0-9a-f]{32}$/);
    expect(patientPseudonym(SECRET, HOSPITAL, 'MRN-001')).toBe(p);
    expect(patientPseudonym(SECRET, HOSPITAL.toUpperCase(), 'MRN-001')).toBe(p);
  });

  it('differs for another patient, another hospital, another secret', () => {
    const p = patientPseudonym(SECRET, HOSPITAL, 'MRN-001');
    expect(patientPseudonym(SECRET, HOSPITAL, 'MRN-002')).not.toBe(p);
    expect(patientPseudonym(SECRET, OTHER_HOSPITAL, 'MRN-001')).not.toBe(p);
    expect(patientPseudonym(`${SECRET}-rotated`, HOSPITAL, 'MRN-001')).not.toBe(p);
  });

  it('does not contain the MRN nor equal its plain hash', async () => {
    const { createHash } = await import('node:crypto');
    const p = patientPseudonym(SECRET, HOSPITAL, '12345678');
    expect(p).not.toContain('12345678');
    expect(createHash('sha256').update(`${HOSPITAL}:12345678`).digest('hex').slice(0, 32)).not.toBe(p);
  });

  it('the UID mapping key is another key than the pseudonym key', () => {
    expect(uidMappingKey(SECRET, HOSPITAL).toString('hex').slice(0, 32)).not.toBe(patientPseudonym(SECRET, HOSPITAL, ''));
    expect(uidMappingKey(SECRET, HOSPITAL).equals(uidMappingKey(SECRET, OTHER_HOSPITAL))).toBe(false);
  });
});

describe('ageBand and studyYear', () => {
  const at = new Date('2024-06-15T10:00:00Z');

  it.each([
    ['2024-06-15', '0-4'],
    ['2019-06-16', '0-4'],
    ['2019-06-15', '5-9'],
    ['1985-03-14', '35-39'],
    ['1940-06-16', '80-84'],
    ['1934-06-16', '85-89'],
    ['1934-06-15', '90+'],
    ['1900-01-01', '90+'],
  ])('born %s: %s', (birthDate, band) => {
    expect(ageBand(birthDate, at)).toBe(band);
  });

  it('is null without a birth date or for a birth after the study', () => {
    expect(ageBand(null, at)).toBeNull();
    expect(ageBand('2025-01-01', at)).toBeNull();
    expect(ageInYears('not a date', at)).toBeNull();
  });

  it('the study year is the UTC year', () => {
    expect(studyYear(new Date('2016-12-31T23:30:00-05:00'))).toBe(2017);
    expect(studyYear(at)).toBe(2024);
  });
});
