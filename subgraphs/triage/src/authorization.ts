import {
  CLINICAL_READ_ROLES,
  forbidden,
  hasHospitalRole,
  hospitalIdsOf,
  unauthenticated,
  type Principal,
} from '@triage/auth';

/**
 * Triage authorizes on its own and never trusts the gateway: clinical data of a hospital is
 * visible only to principals holding a clinical role there. Platform roles (researcher, admin)
 * grant nothing here.
 */
export function requirePrincipal(principal: Principal | null): Principal {
  if (!principal) throw unauthenticated();
  return principal;
}

/** The hospitals a worklist request covers: the requested ones, or every hospital of the caller. */
export function worklistHospitals(principal: Principal | null, requested?: readonly string[] | null): string[] {
  const allowed = hospitalIdsOf(requirePrincipal(principal), CLINICAL_READ_ROLES);
  if (allowed.length === 0) throw forbidden('The worklist is only available to hospital staff');
  if (!requested || requested.length === 0) return allowed;
  const unique = [...new Set(requested)];
  if (unique.some((hospitalId) => !allowed.includes(hospitalId))) {
    throw forbidden('Not a member of every requested hospital');
  }
  return unique;
}

export function assertCanReadHospital(principal: Principal | null, hospitalId: string): void {
  if (!hasHospitalRole(requirePrincipal(principal), hospitalId, CLINICAL_READ_ROLES)) {
    throw forbidden('Not a member of this hospital');
  }
}
