import { authorizeHospitalAccess } from '../auth/hospital-policy.js';
import type { HospitalContext } from '../context.js';
import type { EntityKey } from '../patient/patient.reference.js';
import type { Study } from './study.entity.js';

/** `_entities` for Study; see resolvePatientReference. */
export async function resolveStudyReference(key: EntityKey, ctx: HospitalContext): Promise<Study | null> {
  authorizeHospitalAccess(ctx.principal, ctx.hospital.id, key.hospitalId, 'read');
  return ctx.loaders.studyById.load(key.id);
}
