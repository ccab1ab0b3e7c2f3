import type { HospitalRole, SessionUserFragment } from '../gql/graphql';

/** The logged-in user as the directory's `login` returned it. */
export type SessionUser = SessionUserFragment;

export interface HospitalRef {
  id: string;
  name: string;
  slug: string;
}

/** Top-level pages; which ones a user sees follows from their roles. */
export type Section = 'worklist' | 'upload' | 'research' | 'ops' | 'admin';

export const SECTION_LABELS: Record<Section, string> = {
  worklist: 'Worklist',
  upload: 'Upload',
  research: 'Research',
  ops: 'Operations',
  admin: 'Administration',
};

/** Hospitals where the user holds `role`, each once, by name. */
export function hospitalsWhere(user: SessionUser, role: HospitalRole): HospitalRef[] {
  const byId = new Map<string, HospitalRef>();
  for (const membership of user.memberships) {
    if (membership.role === role) byId.set(membership.hospital.id, membership.hospital);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function sectionsFor(user: SessionUser): Section[] {
  const sections: Section[] = [];
  if (hospitalsWhere(user, 'doctor').length > 0) sections.push('worklist');
  if (hospitalsWhere(user, 'technician').length > 0) sections.push('upload');
  if (user.roles.includes('researcher')) sections.push('research');
  // Operations first: it is what an administrator opens the app for today.
  if (user.roles.includes('admin')) sections.push('ops', 'admin');
  // The research service serves admins too; admins who are not researchers find it last.
  if (user.roles.includes('admin') && !user.roles.includes('researcher')) sections.push('research');
  return sections;
}

/** Where a user lands after login: the first page their roles give them, if any. */
export function defaultSection(user: SessionUser): Section | null {
  return sectionsFor(user)[0] ?? null;
}

/** Doctors of the study's hospital record findings. */
export function canReview(user: SessionUser, hospitalId: string): boolean {
  return user.memberships.some((m) => m.role === 'doctor' && m.hospital.id === hospitalId);
}

/** Clinical staff of the hospital may open its studies (technicians read their hospital's data). */
export function canViewStudy(user: SessionUser, hospitalId: string): boolean {
  return user.memberships.some((m) => (m.role === 'doctor' || m.role === 'technician') && m.hospital.id === hospitalId);
}
