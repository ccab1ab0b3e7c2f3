import { describe, expect, it } from 'vitest';
import { canReview, canViewStudy, defaultSection, hospitalsWhere, sectionsFor, type SessionUser } from './roles';

const stMarys = { id: 'h1', name: "St. Mary's", slug: 'st-marys' };
const general = { id: 'h2', name: 'General', slug: 'general' };

function user(memberships: SessionUser['memberships'], roles: SessionUser['roles'] = []): SessionUser {
  return { id: 'u', email: 'u@x', displayName: 'U', roles, memberships };
}

describe('what each role sees', () => {
  it('gives doctors the worklist of their hospitals', () => {
    const doctor = user([
      { role: 'doctor', hospital: stMarys },
      { role: 'doctor', hospital: general },
    ]);
    expect(sectionsFor(doctor)).toEqual(['worklist']);
    expect(hospitalsWhere(doctor, 'doctor').map((h) => h.name)).toEqual(['General', "St. Mary's"]);
    expect(canReview(doctor, 'h1')).toBe(true);
  });

  it('gives technicians the upload page and read access, but no review', () => {
    const technician = user([{ role: 'technician', hospital: stMarys }]);
    expect(defaultSection(technician)).toBe('upload');
    expect(canViewStudy(technician, 'h1')).toBe(true);
    expect(canViewStudy(technician, 'h2')).toBe(false);
    expect(canReview(technician, 'h1')).toBe(false);
  });

  it('gives researchers and admins their (placeholder) pages and no clinical data', () => {
    const researcher = user([], ['researcher']);
    expect(sectionsFor(researcher)).toEqual(['research']);
    expect(canViewStudy(researcher, 'h1')).toBe(false);
    expect(sectionsFor(user([], ['admin', 'researcher']))).toEqual(['research', 'ops', 'admin']);
    expect(defaultSection(user([], ['admin']))).toBe('ops');
    expect(sectionsFor(user([{ role: 'doctor', hospital: stMarys }]))).not.toContain('ops');
  });

  it('shows the research page to researchers and admins only', () => {
    expect(sectionsFor(user([], ['admin']))).toContain('research');
    expect(sectionsFor(user([{ role: 'doctor', hospital: stMarys }, { role: 'technician', hospital: general }]))).not.toContain('research');
    expect(sectionsFor(user([{ role: 'integration', hospital: stMarys }]))).not.toContain('research');
  });

  it('gives an integration-only account nothing', () => {
    expect(defaultSection(user([{ role: 'integration', hospital: stMarys }]))).toBeNull();
  });
});
