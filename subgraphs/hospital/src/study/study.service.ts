import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '@triage/auth';
import { messageIds, StudyCreatedV1, type NatsTopology } from '@triage/contracts';
import { rethrowAsConflict } from '../common/errors.js';
import { paginate, type Page, type PageRequest } from '../common/pagination.js';
import { isUuid, requireAcquiredAt, requireDicomCode, requireText, requireUuid } from '../common/validation.js';
import { enqueueEvent } from '../outbox/outbox.js';
import type { OutboxRelay } from '../outbox/outbox.relay.js';
import { Patient } from '../patient/patient.entity.js';
import { DEFAULT_BODY_PART, DEFAULT_MODALITY, Study } from './study.entity.js';
import type { CreateStudyInput, StudyFilter, UpdateStudyInput } from './study.inputs.js';

export const ACCESSION_MAX = 64;
export const MODALITY_MAX = 16;
export const BODY_PART_MAX = 64;
const CONFLICTS = { study_accession_number_unique: 'a study with this accession number already exists' };

export interface StudyServiceDeps {
  em: EntityManager;
  hospitalId: string;
  topology: NatsTopology;
  outbox: OutboxRelay;
}

/** The event announcing a study: ids and acquisition facts only, never names, MRNs or birth dates. */
export function studyCreatedEvent(study: Study, occurredAt = new Date()): StudyCreatedV1 {
  return StudyCreatedV1.parse({
    version: 1,
    hospitalId: study.hospitalId,
    studyId: study.id,
    modality: study.modality,
    bodyPart: study.bodyPart,
    acquiredAt: study.acquiredAt.toISOString(),
    image: study.image
      ? {
          bucket: study.image.bucket,
          key: study.image.key,
          sha256: study.image.sha256,
          contentType: study.image.contentType,
          width: study.image.width,
          height: study.image.height,
        }
      : null,
    occurredAt: occurredAt.toISOString(),
  });
}

export class StudyService {
  private readonly em: EntityManager;

  constructor(private readonly deps: StudyServiceDeps) {
    this.em = deps.em;
  }

  async get(id: string): Promise<Study | null> {
    return isUuid(id) ? this.em.findOne(Study, { id: id.toLowerCase() }) : null;
  }

  async getByAccessionNumber(accessionNumber: string): Promise<Study | null> {
    return this.em.findOne(Study, { accessionNumber: accessionNumber.trim() });
  }

  /** Studies matching every given filter, newest first. */
  async list(filter: StudyFilter | null | undefined, page: PageRequest): Promise<Page<Study>> {
    const where: FilterQuery<Study>[] = [];
    if (filter?.patientId) where.push({ patient: requireUuid(filter.patientId, 'filter.patientId') });
    if (filter?.status) where.push({ status: filter.status });
    if (filter?.modality) where.push({ modality: filter.modality.trim().toUpperCase() });
    if (filter?.acquiredAfter) where.push({ acquiredAt: { $gte: filter.acquiredAfter } });
    if (filter?.acquiredBefore) where.push({ acquiredAt: { $lt: filter.acquiredBefore } });
    return paginate(this.em, Study, where.length ? { $and: where } : {}, page);
  }

  /**
   * Commits the study and its StudyCreated event together, then publishes the event. If NATS is
   * unreachable the study still exists and the outbox relay publishes the event later.
   */
  async create(input: CreateStudyInput): Promise<Study> {
    const accessionNumber = requireText(input.accessionNumber, 'accessionNumber', ACCESSION_MAX);
    const modality = input.modality != null ? requireDicomCode(input.modality, 'modality', MODALITY_MAX) : DEFAULT_MODALITY;
    const bodyPart = input.bodyPart != null ? requireDicomCode(input.bodyPart, 'bodyPart', BODY_PART_MAX) : DEFAULT_BODY_PART;
    const acquiredAt = input.acquiredAt != null ? requireAcquiredAt(input.acquiredAt) : new Date();
    const patient = await this.em.findOne(Patient, { id: requireUuid(input.patientId, 'patientId') });
    if (!patient) throw notFound(`patient ${input.patientId} not found`);

    // One flush is one transaction: the study and its event commit or roll back together.
    const { study, event } = await this.commit(() => {
      const created = this.em.create(Study, {
        hospitalId: this.deps.hospitalId,
        accessionNumber,
        patient,
        modality,
        bodyPart,
        acquiredAt,
      });
      const outboxEvent = enqueueEvent(this.em, {
        subject: this.deps.topology.subjects.studyCreated(this.deps.hospitalId),
        msgId: messageIds.studyCreated(created.id),
        payload: studyCreatedEvent(created),
      });
      return { study: created, event: outboxEvent };
    });
    await this.deps.outbox.publishNow(event);
    return study;
  }

  async update(id: string, input: UpdateStudyInput): Promise<Study> {
    const study = await this.em.findOne(Study, { id: requireUuid(id, 'id') });
    if (!study) throw notFound(`study ${id} not found`);
    const changes: Partial<Pick<Study, 'modality' | 'bodyPart' | 'acquiredAt'>> = {};
    if (input.modality != null) changes.modality = requireDicomCode(input.modality, 'modality', MODALITY_MAX);
    if (input.bodyPart != null) changes.bodyPart = requireDicomCode(input.bodyPart, 'bodyPart', BODY_PART_MAX);
    if (input.acquiredAt != null) changes.acquiredAt = requireAcquiredAt(input.acquiredAt);
    return this.commit(() => Object.assign(study, changes));
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
