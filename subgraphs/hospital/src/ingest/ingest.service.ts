import { createHash } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException, wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { messageIds, type NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { Orm } from '@triage/service-common';
import { enqueueEvent } from '../outbox/outbox.js';
import type { OutboxEvent } from '../outbox/outbox-event.entity.js';
import type { OutboxRelay } from '../outbox/outbox.relay.js';
import { Patient } from '../patient/patient.entity.js';
import { generateAccessionNumber } from '../study/accession-number.js';
import { StudyImage } from '../study/study-image.entity.js';
import { StudyOriginal } from '../study/study-original.entity.js';
import { Study, StudyStatus } from '../study/study.entity.js';
import { studyCreatedEvent } from '../study/study.service.js';
import { StudyUpload, type HeaderFillable } from '../upload/study-upload.entity.js';
import { patientFromHeader, studyFromHeader } from './header-values.js';
import { studyObjectKeys, type ImageStore } from './image-store.js';
import { ingestError, IngestError } from './ingest-error.js';
import type { PreparedImage } from './prepare-image.js';

export interface IngestServiceDeps {
  orm: Orm;
  hospital: { id: string; slug: string };
  topology: NatsTopology;
  outbox: OutboxRelay;
  store: ImageStore;
  log: Logger;
}

/** What the upload endpoints answer (201 when stored now, 200 for the same bytes again). */
export interface StoredStudyImage {
  studyId: string;
  /** SHA-256 of the bytes as uploaded. */
  sha256: string;
  /** Type of the upload, decided from its content. */
  contentType: string;
  width: number;
  height: number;
}

export interface IngestOutcome {
  /** False when these exact bytes were already stored for the study (an idempotent retry). */
  created: boolean;
  stored: StoredStudyImage;
  /** For STOW-RS responses. */
  sopInstanceUid: string | null;
}

/** A redeemed upload URL. */
export interface UploadGrant {
  uploadId: string;
  studyId: string;
  fillFromHeader: ReadonlySet<HeaderFillable>;
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const hashUploadToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Stores checked images on their studies. Each store is one database transaction that holds the
 * study's row lock while the objects are written, so two uploads to the same study cannot
 * overwrite each other's objects; the StudyCreated event commits with it (outbox) and is
 * published right after the commit.
 */
export class IngestService {
  constructor(private readonly deps: IngestServiceDeps) {}

  /** The study an upload URL's token grants, or NOT_FOUND / UPLOAD_URL_EXPIRED. */
  async redeemToken(token: string, now = new Date()): Promise<UploadGrant> {
    const upload = TOKEN_FORMAT.test(token)
      ? await this.deps.orm.em.fork().findOne(StudyUpload, { tokenHash: hashUploadToken(token) })
      : null;
    if (!upload) throw ingestError('NOT_FOUND', 'unknown upload URL: ask createStudyUpload (or renewStudyUpload) for a new one');
    if (upload.expiresAt.getTime() <= now.getTime()) {
      throw ingestError(
        'UPLOAD_URL_EXPIRED',
        `this upload URL expired at ${upload.expiresAt.toISOString()}; ask renewStudyUpload for a new one`,
      );
    }
    return { uploadId: upload.id, studyId: upload.study.id, fillFromHeader: new Set(upload.fillFromHeader) };
  }

  /** PUT /uploads/:token: the image of the study the token was issued for. */
  async storeUpload(grant: UploadGrant, image: PreparedImage): Promise<IngestOutcome> {
    return this.inTransaction(async (em) => {
      // The study's row is locked; its patient (whether it is provisional) comes with it, unlocked.
      const study = await em.findOne(
        Study,
        { id: grant.studyId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, lockTableAliases: ['s0'], populate: ['patient'], strategy: 'joined' },
      );
      if (!study) throw ingestError('NOT_FOUND', 'the study of this upload URL no longer exists');
      const result = await this.attachImage(em, study, image, grant.fillFromHeader);
      if (result.created) await em.nativeUpdate(StudyUpload, { id: grant.uploadId, usedAt: null }, { usedAt: new Date() });
      return result;
    });
  }

  /**
   * STOW-RS: one DICOM instance pushed by a modality or PACS. Its study is the one with its
   * AccessionNumber, else its StudyInstanceUID, else a new one for the patient with its PatientID
   * (found or created from the header).
   */
  async storeInstance(image: PreparedImage): Promise<IngestOutcome> {
    const header = image.header;
    if (!header) throw ingestError('UNSUPPORTED_MEDIA_TYPE', 'STOW-RS accepts DICOM instances only');
    const headerPatient = patientFromHeader(header);
    if (!headerPatient) throw ingestError('PATIENT_REQUIRED', 'the DICOM header has no PatientID: the instance cannot be filed to a patient');
    const attributes = studyFromHeader(header);
    return this.inTransaction(async (em) => {
      const found =
        (attributes.accessionNumber ? await em.findOne(Study, { accessionNumber: attributes.accessionNumber }) : null) ??
        (header.studyInstanceUid
          ? await em.findOne(Study, { studyInstanceUid: header.studyInstanceUid }, { orderBy: { createdAt: 'desc' } })
          : null);
      if (found) {
        const study = await em.findOneOrFail(Study, { id: found.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        const owner = await em.findOneOrFail(Patient, { id: study.patient.id });
        if (!owner.provisional && owner.mrn !== headerPatient.mrn) {
          throw ingestError('CONFLICT', "the study with this instance's AccessionNumber or StudyInstanceUID belongs to another patient");
        }
        return this.attachImage(em, study, image, new Set());
      }
      const patient =
        (await em.findOne(Patient, { mrn: headerPatient.mrn })) ??
        em.create(Patient, { hospitalId: this.deps.hospital.id, ...headerPatient, provisional: false });
      const study = em.create(Study, {
        hospitalId: this.deps.hospital.id,
        accessionNumber: attributes.accessionNumber ?? generateAccessionNumber(this.deps.hospital.slug),
        patient,
        ...(attributes.modality ? { modality: attributes.modality } : {}),
        ...(attributes.bodyPart ? { bodyPart: attributes.bodyPart } : {}),
        acquiredAt: attributes.acquiredAt ?? new Date(),
      });
      return this.attachImage(em, study, image, new Set());
    });
  }

  /**
   * Runs `work` in a transaction, publishes the event it staged after the commit, and retries
   * once when a concurrent request created the same patient or accession number first.
   */
  private async inTransaction(work: (em: EntityManager) => Promise<IngestOutcome & { event?: OutboxEvent }>): Promise<IngestOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { event, ...outcome } = await this.deps.orm.em.fork().transactional((em) => work(em as EntityManager));
        if (event) await this.deps.outbox.publishNow(event);
        return outcome;
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        const constraint = (error as { constraint?: string }).constraint;
        if (attempt < 2 && (constraint === 'patient_mrn_unique' || constraint === 'study_accession_number_unique')) continue;
        throw ingestError(
          'CONFLICT',
          constraint === 'study_accession_number_unique'
            ? 'the DICOM AccessionNumber is already used by another study of this hospital'
            : 'the upload conflicts with a concurrent change; try again',
        );
      }
    }
  }

  private async attachImage(
    em: EntityManager,
    study: Study,
    image: PreparedImage,
    fill: ReadonlySet<HeaderFillable>,
  ): Promise<IngestOutcome & { event?: OutboxEvent }> {
    if (study.original) {
      if (study.original.sha256 !== image.original.sha256) {
        throw ingestError('CONFLICT', 'this study already has a different image; a study holds one image (register a new study for another one)');
      }
      return { created: false, stored: storedOf(study), sopInstanceUid: study.sopInstanceUid };
    }
    const header = image.header;
    const patient = wrap(study.patient).isInitialized() ? study.patient : await em.findOneOrFail(Patient, { id: study.patient.id });
    if (patient.provisional) {
      if (!header) {
        throw ingestError(
          'PATIENT_REQUIRED',
          'a JPEG or PNG carries no patient: create the upload with patientId or patient (only a DICOM header can name the patient)',
        );
      }
      await this.adoptHeaderPatient(em, study, patient, image);
    }
    if (header) {
      const attributes = studyFromHeader(header);
      if (fill.has('accessionNumber') && attributes.accessionNumber && attributes.accessionNumber !== study.accessionNumber) {
        if (await em.findOne(Study, { accessionNumber: attributes.accessionNumber, id: { $ne: study.id } })) {
          throw ingestError(
            'CONFLICT',
            'the DICOM AccessionNumber is already used by another study of this hospital; upload it to that study, or give accessionNumber to createStudyUpload',
          );
        }
        study.accessionNumber = attributes.accessionNumber;
      }
      if (fill.has('modality') && attributes.modality) study.modality = attributes.modality;
      if (fill.has('bodyPart') && attributes.bodyPart) study.bodyPart = attributes.bodyPart;
      if (fill.has('acquiredAt') && attributes.acquiredAt) study.acquiredAt = attributes.acquiredAt;
      study.studyInstanceUid = header.studyInstanceUid ?? null;
      study.sopInstanceUid = header.sopInstanceUid ?? null;
    }

    const keys = studyObjectKeys(study.id, image.original.extension);
    const imageKey = image.kind === 'dicom' ? keys.rendition : keys.original;
    try {
      await this.deps.store.put(keys.original, image.original.bytes, image.original.contentType, image.original.sha256);
      if (imageKey !== keys.original) await this.deps.store.put(imageKey, image.image.bytes, image.image.contentType, image.image.sha256);
    } catch (error) {
      this.deps.log.error({ err: error, studyId: study.id }, 'storing an image in the object store failed');
      throw ingestError('UNAVAILABLE', 'the image store is unavailable; nothing was stored, try again shortly');
    }

    study.original = Object.assign(new StudyOriginal(), {
      key: keys.original,
      sha256: image.original.sha256,
      contentType: image.original.contentType,
      size: image.original.bytes.length,
    });
    study.image = Object.assign(new StudyImage(), {
      bucket: this.deps.store.bucket,
      key: imageKey,
      sha256: image.image.sha256,
      contentType: image.image.contentType,
      width: image.image.width,
      height: image.image.height,
    });
    study.status = StudyStatus.IMAGE_STORED;
    const event = enqueueEvent(em, {
      subject: this.deps.topology.subjects.studyCreated(this.deps.hospital.id),
      // Not messageIds.studyCreated: that id announced the study without pixels, and JetStream
      // would drop this event as its duplicate.
      msgId: messageIds.studyImageStored(study.id, image.original.sha256),
      payload: studyCreatedEvent(study),
    });
    this.deps.log.info(
      { studyId: study.id, contentType: image.original.contentType, bytes: image.original.bytes.length, sha256: image.original.sha256 },
      'study image stored',
    );
    return { created: true, stored: storedOf(study), sopInstanceUid: study.sopInstanceUid, event };
  }

  /**
   * The study was registered without its patient: the header's PatientID names an existing
   * patient (the placeholder is dropped) or fills the placeholder in.
   */
  private async adoptHeaderPatient(em: EntityManager, study: Study, placeholder: Patient, image: PreparedImage): Promise<void> {
    const fromHeader = patientFromHeader(image.header!);
    if (!fromHeader) {
      throw ingestError(
        'PATIENT_REQUIRED',
        'the DICOM header has no PatientID and the upload named no patient: create the upload with patientId or patient',
      );
    }
    const existing = await em.findOne(Patient, { mrn: fromHeader.mrn, id: { $ne: placeholder.id } });
    if (existing) {
      study.patient = existing;
      em.remove(placeholder);
    } else {
      Object.assign(placeholder, fromHeader, { provisional: false });
    }
  }
}

function storedOf(study: Study): StoredStudyImage {
  if (!study.original || !study.image) throw new IngestError('CONFLICT', 'the study has no stored image');
  return {
    studyId: study.id,
    sha256: study.original.sha256,
    contentType: study.original.contentType,
    width: study.image.width,
    height: study.image.height,
  };
}
