import { authorizeHospitalAccess } from '../auth/hospital-policy.js';
import type { HospitalContext } from '../context.js';
import type { Patient } from './patient.entity.js';

export interface EntityKey {
  hospitalId: string;
  id: string;
}

/**
 * `_entities` for Patient. Async so a refused reference fails alone (an error at its index)
 * instead of failing the whole `_entities` list; the check itself runs before the first await,
 * so every load of the request lands in one DataLoader batch.
 */
export async function resolvePatientReference(key: EntityKey, ctx: HospitalContext): Promise<Patient | null> {
  authorizeHospitalAccess(ctx.principal, ctx.hospital.id, key.hospitalId, 'read');
  return ctx.loaders.patientById.load(key.id);
}
