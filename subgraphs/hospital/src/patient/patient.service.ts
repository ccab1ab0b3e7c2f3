import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '@triage/auth';
import { rethrowAsConflict } from '../common/errors.js';
import { paginate, type Page, type PageRequest } from '../common/pagination.js';
import { isUuid, requireBirthDate, requireText, requireUuid } from '../common/validation.js';
import { Patient } from './patient.entity.js';
import type { CreatePatientInput, PatientFilter, UpdatePatientInput } from './patient.inputs.js';

export const MRN_MAX = 64;
export const NAME_MAX = 200;
const CONFLICTS = { patient_mrn_unique: 'a patient with this MRN already exists' };

/** The checked columns of a new patient (createPatient, and createStudyUpload's find-or-create). */
export function newPatientData(input: CreatePatientInput, hospitalId: string) {
  return {
    hospitalId,
    mrn: requireText(input.mrn, 'mrn', MRN_MAX),
    name: requireText(input.name, 'name', NAME_MAX),
    birthDate: requireBirthDate(input.birthDate),
    sex: input.sex,
  };
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class PatientService {
  constructor(
    private readonly em: EntityManager,
    private readonly hospitalId: string,
  ) {}

  async get(id: string): Promise<Patient | null> {
    return isUuid(id) ? this.em.findOne(Patient, { id: id.toLowerCase() }) : null;
  }

  async require(id: string, field = 'id'): Promise<Patient> {
    const patient = await this.em.findOne(Patient, { id: requireUuid(id, field) });
    if (!patient) throw notFound(`patient ${id} not found`);
    return patient;
  }

  /** Patients matching every given filter, newest first. */
  async list(filter: PatientFilter | null | undefined, page: PageRequest): Promise<Page<Patient>> {
    const where: FilterQuery<Patient>[] = [];
    if (filter?.nameContains) where.push({ name: { $ilike: likePattern(filter.nameContains.trim()) } });
    if (filter?.mrn) where.push({ mrn: filter.mrn.trim() });
    if (filter?.sex) where.push({ sex: filter.sex });
    if (filter?.bornAfter) where.push({ birthDate: { $gte: filter.bornAfter } });
    if (filter?.bornBefore) where.push({ birthDate: { $lt: filter.bornBefore } });
    return paginate(this.em, Patient, where.length ? { $and: where } : {}, page);
  }

  async create(input: CreatePatientInput): Promise<Patient> {
    const data = newPatientData(input, this.hospitalId);
    return this.commit(() => this.em.create(Patient, data));
  }

  async update(id: string, input: UpdatePatientInput): Promise<Patient> {
    const patient = await this.require(id);
    // Validate everything before touching the managed entity.
    const changes: Partial<Pick<Patient, 'mrn' | 'name' | 'birthDate' | 'sex' | 'provisional'>> = {};
    if (input.mrn != null) changes.mrn = requireText(input.mrn, 'mrn', MRN_MAX);
    // Someone who gives a placeholder patient its MRN identifies it: the DICOM header no longer decides.
    if (input.mrn != null && patient.provisional) changes.provisional = false;
    if (input.name != null) changes.name = requireText(input.name, 'name', NAME_MAX);
    if (input.birthDate != null) changes.birthDate = requireBirthDate(input.birthDate);
    if (input.sex != null) changes.sex = input.sex;
    return this.commit(() => Object.assign(patient, changes));
  }

  /**
   * Stages changes and flushes them in one transaction. On any failure the unit of work is
   * dropped, so a later mutation of the same request cannot flush half-staged work.
   */
  private async commit<T>(stage: () => T): Promise<T> {
    try {
      const result = stage();
      await this.em.flush();
      return result;
    } catch (error) {
      this.em.clear();
      rethrowAsConflict(error, CONFLICTS);
    }
  }
}
