import type { Principal } from '@triage/auth';
import { describe, expect, it } from 'vitest';
import { requireResearcher } from './authorization.js';

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

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};

describe('requireResearcher', () => {
  it('lets researchers and admins in', () => {
    expect(code(() => requireResearcher(principal({ roles: ['researcher'] })))).toBe('no error');
    expect(code(() => requireResearcher(principal({ roles: ['admin'] })))).toBe('no error');
  });

  it('refuses clinical roles, however many hospitals', () => {
    const clinician = principal({
      memberships: [
        { hospitalId: 'A', role: 'doctor' },
        { hospitalId: 'B', role: 'technician' },
        { hospitalId: 'C', role: 'integration' },
      ],
    });
    expect(code(() => requireResearcher(clinician))).toBe('FORBIDDEN');
    // A researcher membership at a hospital is not the platform role.
    expect(code(() => requireResearcher(principal({ memberships: [{ hospitalId: 'A', role: 'researcher' }] })))).toBe('FORBIDDEN');
    expect(code(() => requireResearcher(null))).toBe('UNAUTHENTICATED');
  });
});
