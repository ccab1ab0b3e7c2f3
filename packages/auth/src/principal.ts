export const ROLES = ['technician', 'doctor', 'integration', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Membership {
  hospitalId: string;
  role: Role;
}

/** Who is calling, as proven by a verified token. */
export interface Principal {
  subject: string;
  kind: 'user' | 'service';
  issuer: string;
  /** Platform-wide roles (researcher, admin). */
  roles: Role[];
  /** Roles held at a hospital. */
  memberships: Membership[];
  expiresAt: number;
  /** The raw bearer token, forwarded to subgraphs so each can re-check it. */
  token: string;
}

export function hospitalIdsOf(principal: Principal, roles?: readonly Role[]): string[] {
  return [
    ...new Set(
      principal.memberships.filter((m) => !roles || roles.includes(m.role)).map((m) => m.hospitalId),
    ),
  ];
}

export function hasHospitalRole(principal: Principal, hospitalId: string, roles: readonly Role[]): boolean {
  return principal.memberships.some((m) => m.hospitalId === hospitalId && roles.includes(m.role));
}

export function hasRole(principal: Principal, roles: readonly Role[]): boolean {
  return principal.roles.some((r) => roles.includes(r));
}

/** Who may read and write clinical data (patients, studies, triage) of a hospital. */
export const CLINICAL_READ_ROLES: readonly Role[] = ['doctor', 'technician', 'integration'];
export const CLINICAL_WRITE_ROLES: readonly Role[] = ['technician', 'integration'];
export const REVIEW_ROLES: readonly Role[] = ['doctor'];
