import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { messageIds, ResearchLabeledV1, type NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { Orm } from '@triage/service-common';
import type { ImageStore } from '../ingest/image-store.js';
import { enqueueEvent } from '../outbox/outbox.js';
import type { OutboxRelay } from '../outbox/outbox.relay.js';
import { latestPrediction } from '../prediction/prediction.consumer.js';
import { removeBurnedInText } from './burned-in-text.js';
import { DeidentificationJob, DeidentificationJobStatus } from './deidentification-job.entity.js';
import { deidentifyDicomFile } from './deidentify-dicom.js';
import type { OcrEngine } from './ocr.js';
import { ageBand, patientPseudonym, studyYear, uidMappingKey } from './pseudonym.js';

export interface ResearchExportDeps {
  orm: Orm;
  hospital: { id: string };
  topology: NatsTopology;
  outbox: OutboxRelay;
  /** The hospital's own bucket: read only. */
  hospitalImages: ImageStore;
  /** natsTopology(ns).buckets.research */
  researchImages: ImageStore;
  secret: string;
  ocr: OcrEngine;
  log: Logger;
}

const DICOM = 'application/dicom';

export const researchObjectKeys = (exampleId: string) => ({ png: `examples/${exampleId}.png`, dicom: `examples/${exampleId}.dcm` });

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A failure that no retry can fix (the job is marked FAILED at once). */
export class PermanentExportError extends Error {
  override name = 'PermanentExportError';
}

/**
 * Produces the research copy of one review's study and announces it:
 *   1. reads the worker-readable image (JPEG/PNG upload, or the DICOM's PNG rendition) from the
 *      hospital's bucket, finds burned-in text and paints it over (removeBurnedInText);
 *   2. for DICOM, de-identifies the original .dcm with the Basic Profile, its pixels painted with
 *      the same boxes;
 *   3. puts `examples/<exampleId>.png` (and `.dcm`) into the research bucket: the originals never leave
 *      the hospital's bucket;
 *   4. marks the job DONE and commits ResearchLabeledV1 (pseudonym, finding, the study's latest
 *      active prediction, age band, year, sex, the .dcm key; no name, MRN, date, study id or notes)
 *      through the outbox, msgId researchLabeled(exampleId): no hospital record id leaves.
 * Idempotent: a retry rewrites the same object keys and JetStream drops a second event.
 */
export async function exportResearchExample(deps: ResearchExportDeps, jobId: string): Promise<void> {
  const started = Date.now();
  const em = deps.orm.em.fork() as EntityManager;
  const job = await em.findOne(DeidentificationJob, { id: jobId }, { populate: ['review.study.patient'] });
  if (!job || job.status !== DeidentificationJobStatus.PENDING) return;
  const review = job.review;
  const study = review.study;
  const patient = study.patient;
  if (!study.image || !study.original) throw new PermanentExportError('the study has no image');

  const image = await deps.hospitalImages.getBytes(study.image.key);
  if (!image) throw new Error('the study image is missing from the hospital bucket');
  const cleaned = await removeBurnedInText(image, deps.ocr);
  const pseudonym = patientPseudonym(deps.secret, deps.hospital.id, patient.mrn);
  const keys = researchObjectKeys(job.exampleId);

  let dicomCopy: ResearchLabeledV1['dicom'];
  let method = 'Burned-in text painted over (stroke-contrast text lines + OCR word boxes); re-encoded as PNG without metadata';
  if (study.original.contentType === DICOM) {
    const dicom = await deps.hospitalImages.getBytes(study.original.key);
    if (!dicom) throw new Error('the original DICOM is missing from the hospital bucket');
    const deidentified = deidentifyDicomFile(
      dicom,
      { uidKey: uidMappingKey(deps.secret, deps.hospital.id), patientPseudonym: pseudonym },
      { boxes: cleaned.boxes, rendition: cleaned.image },
    );
    dicomCopy = { key: keys.dicom, sha256: sha256Hex(deidentified.bytes) };
    await deps.researchImages.put(keys.dicom, deidentified.bytes, DICOM, dicomCopy.sha256);
    method = 'DICOM PS3.15 Basic Profile + Clean Pixel Data + Clean Descriptors; burned-in text painted over (text lines + OCR)';
  }
  const pngSha256 = sha256Hex(cleaned.png);
  await deps.researchImages.put(keys.png, cleaned.png, 'image/png', pngSha256);

  const event = ResearchLabeledV1.parse({
    version: 1,
    hospitalId: deps.hospital.id,
    exampleId: job.exampleId,
    pseudonym,
    finding: review.finding.toLowerCase() as ResearchLabeledV1['finding'],
    // The latest active prediction this hospital received for the study (predictions.<hospitalId>.created).
    model: await latestPrediction(deps.orm, study.id),
    ageBand: ageBand(patient.birthDate, study.acquiredAt),
    sex: patient.sex,
    studyYear: studyYear(study.acquiredAt),
    image: {
      bucket: deps.researchImages.bucket,
      key: keys.png,
      sha256: pngSha256,
      contentType: 'image/png',
      width: cleaned.image.width,
      height: cleaned.image.height,
    },
    ...(dicomCopy ? { dicom: dicomCopy } : {}),
    deidentification: { method, textRegionsRemoved: cleaned.boxes.length },
    occurredAt: new Date().toISOString(),
  } satisfies ResearchLabeledV1);

  const row = await em.transactional(async (tx) => {
    const claimed = await tx.nativeUpdate(
      DeidentificationJob,
      { id: job.id, status: DeidentificationJobStatus.PENDING },
      { status: DeidentificationJobStatus.DONE, completedAt: new Date(), lastError: null },
    );
    if (claimed === 0) return null; // finished by someone else meanwhile
    return enqueueEvent(tx as EntityManager, {
      subject: deps.topology.subjects.researchLabeled(deps.hospital.id),
      msgId: messageIds.researchLabeled(job.exampleId),
      payload: event,
    });
  });
  if (row) await deps.outbox.publishNow(row);
  deps.log.info(
    { reviewId: review.id, exampleId: job.exampleId, textRegionsRemoved: cleaned.boxes.length, dicom: study.original.contentType === DICOM, ms: Date.now() - started },
    'research example exported',
  );
}
