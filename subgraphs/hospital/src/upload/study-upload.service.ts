import { randomBytes, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound, type Principal } from '@triage/auth';
import { messageIds, type NatsTopology } from '@triage/contracts';
import { conflict } from '../common/errors.js';
import { requireAcquiredAt, requireDicomCode, requireText, requireUuid } from '../common/validation.js';
import type { IngestConfig } from '../env.js';
import { hashUploadToken } from '../ingest/ingest.service.js';
import { enqueueEvent } from '../outbox/outbox.js';
import type { OutboxRelay } from '../outbox/outbox.relay.js';
import { Patient, Sex } from '../patient/patient.entity.js';
import { newPatientData } from '../patient/patient.service.js';
import { generateAccessionNumber } from '../study/accession-number.js';
import { DEFAULT_BODY_PART, DEFAULT_MODALITY, Study } from '../study/study.entity.js';
import { ACCESSION_MAX, BODY_PART_MAX, MODALITY_MAX, studyCreatedEvent } from '../study/study.service.js';
import { StudyUpload, type HeaderFillable } from './study-upload.entity.js';
import type { CreateStudyUploadInput } from './study-upload.inputs.js';
import type { StudyUploadTicket } from './study-upload.type.js';

export interface StudyUploadServiceDeps {
  em: EntityManager;
  hospital: { id: string; slug: string };
  topology: NatsTopology;
  outbox: OutboxRelay;
  ingest: IngestConfig;
}

/** Tries for a generated accession number that is not taken yet (30 random bits each). */
const ACCESSION_ATTEMPTS = 3;

export class StudyUploadService {
  private readonly em: EntityManager;

  constructor(private readonly deps: StudyUploadServiceDeps) {
    this.em = deps.em;
  }

  /**
   * Registers a study (and, if needed, its patient) and issues its upload URL, in one
   * transaction with the study's StudyCreated event (image: null), published after the commit.
   */
  async create(input: CreateStudyUploadInput, principal: Principal): Promise<StudyUploadTicket> {
    if (input.patientId != null && input.patient != null) throw badInput('give patientId or patient, not both');
    const patientId = input.patientId != null ? requireUuid(input.patientId, 'patientId') : null;
    const newPatient = input.patient != null ? newPatientData(input.patient, this.deps.hospital.id) : null;
    const accessionNumber = input.accessionNumber != null ? requireText(input.accessionNumber, 'accessionNumber', ACCESSION_MAX) : null;
    const modality = input.modality != null ? requireDicomCode(input.modality, 'modality', MODALITY_MAX) : null;
    const bodyPart = input.bodyPart != null ? requireDicomCode(input.bodyPart, 'bodyPart', BODY_PART_MAX) : null;
    const acquiredAt = input.acquiredAt != null ? requireAcquiredAt(input.acquiredAt) : null;
    const fill: HeaderFillable[] = [];
    if (!patientId && !newPatient) fill.push('patient');
    if (!accessionNumber) fill.push('accessionNumber');
    if (!modality) fill.push('modality');
    if (!bodyPart) fill.push('bodyPart');
    if (!acquiredAt) fill.push('acquiredAt');

    for (let attempt = 1; ; attempt++) {
      try {
        const patient = patientId
          ? await this.em.findOne(Patient, { id: patientId })
          : newPatient
            ? ((await this.em.findOne(Patient, { mrn: newPatient.mrn })) ?? this.em.create(Patient, newPatient))
            : this.em.create(Patient, this.placeholderPatient());
        if (!patient) throw notFound(`patient ${input.patientId} not found`);
        const study = this.em.create(Study, {
          hospitalId: this.deps.hospital.id,
          accessionNumber: accessionNumber ?? generateAccessionNumber(this.deps.hospital.slug),
          patient,
          modality: modality ?? DEFAULT_MODALITY,
          bodyPart: bodyPart ?? DEFAULT_BODY_PART,
          acquiredAt: acquiredAt ?? new Date(),
        });
        const event = enqueueEvent(this.em, {
          subject: this.deps.topology.subjects.studyCreated(this.deps.hospital.id),
          msgId: messageIds.studyCreated(study.id),
          payload: studyCreatedEvent(study),
        });
        const ticket = this.issue(study, fill, principal);
        await this.em.flush(); // one transaction: patient, study, upload URL and event
        await this.deps.outbox.publishNow(event);
        return ticket;
      } catch (error) {
        this.em.clear();
        const constraint = error instanceof UniqueConstraintViolationException ? (error as { constraint?: string }).constraint : undefined;
        if (constraint === 'study_accession_number_unique') {
          if (accessionNumber) throw conflict('a study with this accession number already exists');
          if (attempt < ACCESSION_ATTEMPTS) continue;
        }
        // Someone created the same MRN meanwhile: the next attempt finds it.
        if (constraint === 'patient_mrn_unique' && newPatient && attempt < ACCESSION_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * A new upload URL for a study without an image yet: registered with createStudy, or whose URL
   * expired. The header may fill in what the study's first upload URL let it fill in.
   */
  async renew(studyId: string, principal: Principal): Promise<StudyUploadTicket> {
    const study = await this.em.findOne(Study, { id: requireUuid(studyId, 'studyId') });
    if (!study) throw notFound(`study ${studyId} not found`);
    if (study.original) throw conflict('this study already has an image; register a new study for another one');
    const previous = await this.em.findOne(StudyUpload, { study }, { orderBy: { createdAt: 'desc' } });
    const ticket = this.issue(study, previous?.fillFromHeader ?? [], principal);
    await this.em.flush();
    return ticket;
  }

  /** Stages a new upload URL; only the token's hash is stored, the token itself lives in the URL. */
  private issue(study: Study, fill: HeaderFillable[], principal: Principal): StudyUploadTicket {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.deps.ingest.uploadUrlTtlSeconds * 1000);
    this.em.create(StudyUpload, { tokenHash: hashUploadToken(token), study, fillFromHeader: fill, createdBy: principal.subject, expiresAt });
    return {
      study,
      uploadUrl: `${this.deps.ingest.publicGatewayUrl}/uploads/${encodeURIComponent(this.deps.hospital.id)}/${token}`,
      expiresAt,
      maxBytes: this.deps.ingest.maxUploadBytes,
    };
  }

  /** The patient of a study registered before its DICOM header named them. */
  private placeholderPatient() {
    return {
      hospitalId: this.deps.hospital.id,
      mrn: `provisional:${randomUUID()}`,
      name: '',
      birthDate: null,
      sex: Sex.UNKNOWN,
      provisional: true,
    };
  }
}
