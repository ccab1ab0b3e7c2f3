import {
  CLINICAL_READ_ROLES,
  CLINICAL_WRITE_ROLES,
  forbidden,
  hasHospitalRole,
  REVIEW_ROLES,
  unauthenticated,
  type Principal,
  type Role,
} from '@triage/auth';
import type { MiddlewareFn } from 'type-graphql';

/** read: see clinical data; write: register patients, studies, images; review: record a doctor's finding. */
export type ClinicalAccess = 'read' | 'write' | 'review';

const ROLES_FOR: Record<ClinicalAccess, readonly Role[]> = {
  read: CLINICAL_READ_ROLES,
  write: CLINICAL_WRITE_ROLES,
  review: REVIEW_ROLES,
};

const DOING: Record<ClinicalAccess, string> = {
  read: 'reading clinical data',
  write: 'changing clinical data',
  review: 'reviewing studies',
};

/**
 * Root fields that need another access than their operation's default (Query: read,
 * Mutation: write). Kept here, next to the rule, so every exception is visible in one place.
 */
export const ROOT_FIELD_ACCESS: Readonly<Record<string, ClinicalAccess>> = {
  recordReview: 'review',
};

/**
 * The one authorization rule of a hospital instance: the request must name the hospital this
 * instance serves, and the caller must hold a role there that grants the access. Platform roles
 * (researcher, admin) grant nothing here. Returns the principal so callers need not re-check for null.
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
    throw forbidden(`${DOING[access]} of hospital ${servedHospitalId} requires one of: ${ROLES_FOR[access].join(', ')}`);
  }
  return principal;
}

/** The access a root field requires. */
export function rootFieldAccess(operation: 'Query' | 'Mutation' | 'Subscription', fieldName: string): ClinicalAccess {
  return ROOT_FIELD_ACCESS[fieldName] ?? (operation === 'Mutation' ? 'write' : 'read');
}

interface GuardContext {
  principal: Principal | null;
  hospital: { id: string };
}

/**
 * Global type-graphql middleware: every root field needs the access `rootFieldAccess` gives it
 * (Query read, Mutation write, the exceptions in ROOT_FIELD_ACCESS) to the `hospitalId`
 * argument's hospital. Applied to all root fields, so a new field is guarded without anyone
 * remembering to (a root field without `hospitalId` is refused).
 * Nested fields inherit the check of the root field or entity reference that produced their parent.
 */
export const hospitalAccessGuard: MiddlewareFn<GuardContext> = ({ args, context, info }, next) => {
  const operation = info.parentType.name;
  if (operation === 'Query' || operation === 'Mutation' || operation === 'Subscription') {
    authorizeHospitalAccess(context.principal, context.hospital.id, args.hospitalId, rootFieldAccess(operation, info.fieldName));
  }
  return next();
};
