import type { Principal } from '@triage/auth';
import { describe, expect, it } from 'vitest';
import { assertCanReadHospital, worklistHospitals } from './authorization.js';

const principal = (overrides: Partial<Principal>): Principal => ({
  subject: 'u1',
  kind: 'user',
  issuer: 'test',
  roles: [],
  memberships: [],
  expiresAt: Date.now() + 60_000,
  token: 'x',
  ...overrides,
});

const doctorOfA = principal({ memberships: [{ hospitalId: 'A', role: 'doctor' }] });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};

describe('worklistHospitals', () => {
  it("defaults to every hospital of the caller's clinical memberships", () => {
    const p = principal({
      memberships: [
        { hospitalId: 'A', role: 'doctor' },
        { hospitalId: 'B', role: 'technician' },
        { hospitalId: 'A', role: 'integration' },
      ],
    });
    expect(worklistHospitals(p)).toEqual(['A', 'B']);
    expect(worklistHospitals(p, [])).toEqual(['A', 'B']);
    expect(worklistHospitals(p, ['B', 'B'])).toEqual(['B']);
  });

  it('refuses foreign hospitals and principals without clinical memberships', () => {
    expect(code(() => worklistHospitals(doctorOfA, ['A', 'B']))).toBe('FORBIDDEN');
    expect(code(() => worklistHospitals(principal({ roles: ['researcher'] })))).toBe('FORBIDDEN');
    expect(code(() => worklistHospitals(principal({ roles: ['admin'] }), ['A']))).toBe('FORBIDDEN');
    expect(code(() => worklistHospitals(null))).toBe('UNAUTHENTICATED');
  });
});

describe('assertCanReadHospital', () => {
  it('allows members only', () => {
    expect(code(() => assertCanReadHospital(doctorOfA, 'A'))).toBe('no error');
    expect(code(() => assertCanReadHospital(doctorOfA, 'B'))).toBe('FORBIDDEN');
  });
});
