import {
  CLINICAL_READ_ROLES,
  CLINICAL_WRITE_ROLES,
  forbidden,
  hasHospitalRole,
  unauthenticated,
  type Principal,
} from '@triage/auth';
import type { MiddlewareFn } from 'type-graphql';

export type ClinicalAccess = 'read' | 'write';

const ROLES_FOR: Record<ClinicalAccess, typeof CLINICAL_READ_ROLES> = {
  read: CLINICAL_READ_ROLES,
  write: CLINICAL_WRITE_ROLES,
};

/**
 * The one authorization rule of a hospital instance: the request must name the hospital this
 * instance serves, and the caller must hold a clinical role there. Platform roles (researcher,
 * admin) grant nothing here. Returns the principal so callers need not re-check for null.
 */
export function authorizeHospitalAccess(
  principal: Principal | null,
  servedHospitalId: string,
  requestedHospitalId: unknown,
  access: ClinicalAccess,
): Principal {
  if (!principal) throw unauthenticated();
  if (typeof requestedHospitalId !== 'string' || requestedHospitalId.toLowerCase() !== servedHospitalId) {
    throw forbidden(`this instance serves hospital ${servedHospitalId}`);
  }
  if (!hasHospitalRole(principal, servedHospitalId, ROLES_FOR[access])) {
    throw forbidden(
      access === 'read'
        ? `reading clinical data of hospital ${servedHospitalId} requires one of: ${CLINICAL_READ_ROLES.join(', ')}`
        : `changing clinical data of hospital ${servedHospitalId} requires one of: ${CLINICAL_WRITE_ROLES.join(', ')}`,
    );
  }
  return principal;
}

interface GuardContext {
  principal: Principal | null;
  hospital: { id: string };
}

/**
 * Global type-graphql middleware: every Query field needs read access and every Mutation field
 * write access to the `hospitalId` argument's hospital. Applied to all root fields, so a new
 * field is guarded without anyone remembering to (a root field without `hospitalId` is refused).
 * Nested fields inherit the check of the root field or entity reference that produced their parent.
 */
export const hospitalAccessGuard: MiddlewareFn<GuardContext> = ({ args, context, info }, next) => {
  const operation = info.parentType.name;
  if (operation === 'Query' || operation === 'Mutation' || operation === 'Subscription') {
    authorizeHospitalAccess(context.principal, context.hospital.id, args.hospitalId, operation === 'Query' ? 'read' : 'write');
  }
  return next();
};
