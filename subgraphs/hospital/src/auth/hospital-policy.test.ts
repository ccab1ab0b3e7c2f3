import type { Principal } from '@triage/auth';
import { describe, expect, it } from 'vitest';
import { authorizeHospitalAccess, rootFieldAccess } from './hospital-policy.js';

const HERE = '0b6f3d3e-3c1a-4a57-9d4e-2f7f0f8f2d11';
const THERE = '7d0f0a55-8f0e-4f6e-bb51-6d6cbe0d8c42';

function principal(memberships: Principal['memberships'], roles: Principal['roles'] = []): Principal {
  return { subject: 's', kind: 'user', issuer: 'i', roles, memberships, expiresAt: Date.now() + 60_000, token: 't' };
}

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ALLOWED';
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
};

describe('authorizeHospitalAccess', () => {
  it.each([
    ['doctor', 'read', 'ALLOWED'],
    ['doctor', 'write', 'FORBIDDEN'],
    ['technician', 'read', 'ALLOWED'],
    ['technician', 'write', 'ALLOWED'],
    ['integration', 'read', 'ALLOWED'],
    ['integration', 'write', 'ALLOWED'],
    ['doctor', 'review', 'ALLOWED'],
    ['technician', 'review', 'FORBIDDEN'],
    ['integration', 'review', 'FORBIDDEN'],
  ] as const)('a %s here may %s: %s', (role, access, expected) => {
    expect(code(() => authorizeHospitalAccess(principal([{ hospitalId: HERE, role }]), HERE, HERE, access))).toBe(expected);
  });

  it('refuses another hospital id even to a member of that hospital', () => {
    const both = principal([
      { hospitalId: HERE, role: 'integration' },
      { hospitalId: THERE, role: 'integration' },
    ]);
    expect(() => authorizeHospitalAccess(both, HERE, THERE, 'read')).toThrow(`this instance serves hospital ${HERE}`);
  });

  it('compares hospital ids case-insensitively and refuses a missing one', () => {
    const p = principal([{ hospitalId: HERE, role: 'doctor' }]);
    expect(code(() => authorizeHospitalAccess(p, HERE, HERE.toUpperCase(), 'read'))).toBe('ALLOWED');
    expect(code(() => authorizeHospitalAccess(p, HERE, undefined, 'read'))).toBe('FORBIDDEN');
  });

  it('grants nothing for platform roles or memberships elsewhere', () => {
    expect(code(() => authorizeHospitalAccess(principal([], ['researcher', 'admin']), HERE, HERE, 'read'))).toBe('FORBIDDEN');
    expect(code(() => authorizeHospitalAccess(principal([{ hospitalId: THERE, role: 'doctor' }]), HERE, HERE, 'read'))).toBe('FORBIDDEN');
    expect(code(() => authorizeHospitalAccess(null, HERE, HERE, 'read'))).toBe('UNAUTHENTICATED');
  });

  it('a doctor of another hospital may not review here', () => {
    expect(code(() => authorizeHospitalAccess(principal([{ hospitalId: THERE, role: 'doctor' }]), HERE, HERE, 'review'))).toBe('FORBIDDEN');
  });
});

describe('rootFieldAccess', () => {
  it('queries read, mutations write, recordReview needs the review access', () => {
    expect(rootFieldAccess('Query', 'study')).toBe('read');
    expect(rootFieldAccess('Mutation', 'createStudy')).toBe('write');
    expect(rootFieldAccess('Mutation', 'recordReview')).toBe('review');
  });
});
