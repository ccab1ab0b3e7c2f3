import { z } from 'zod';

/**
 * Event payloads, one versioned schema per subject. Payloads never carry names, MRNs or birth
 * dates: events cross service boundaries that are not allowed to see PHI.
 */

const id = z.string().min(1).max(64);
const isoDate = z.string().datetime({ offset: true });

export const StoredImage = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  contentType: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type StoredImage = z.infer<typeof StoredImage>;

export const StudyCreatedV1 = z.object({
  version: z.literal(1),
  hospitalId: id,
  studyId: id,
  modality: z.string().max(16),
  bodyPart: z.string().max(64),
  acquiredAt: isoDate,
  /** Null while the study is registered without pixels yet. */
  image: StoredImage.nullable(),
  occurredAt: isoDate,
});
export type StudyCreatedV1 = z.infer<typeof StudyCreatedV1>;

export const ReviewFinding = z.enum(['pneumonia', 'normal', 'uncertain']);
export type ReviewFinding = z.infer<typeof ReviewFinding>;

/** A doctor recorded a finding. No notes and no names: notes are free text and may hold PHI. */
export const StudyReviewedV1 = z.object({
  version: z.literal(1),
  hospitalId: id,
  studyId: id,
  reviewId: id,
  finding: ReviewFinding,
  reviewedAt: isoDate,
  occurredAt: isoDate,
});
export type StudyReviewedV1 = z.infer<typeof StudyReviewedV1>;

/**
 * A de-identified, doctor-labelled example for the research center, announced on
 * `research.labeled.<hospitalId>`. Identity is a keyed pseudonym; dates are reduced to an age band
 * and a year; the image is a de-identified copy in the research Object Store bucket.
 */
export const ResearchLabeledV1 = z.object({
  version: z.literal(1),
  hospitalId: id,
  /** Random id of the example; never the hospital's study id. */
  exampleId: id,
  /** HMAC of the patient's identity with the hospital's secret: stable per patient and hospital. */
  pseudonym: z.string().regex(/^[a-f0-9]{16,64}$/),
  finding: ReviewFinding,
  /** The active model's latest prediction for the study when the hospital had received it; null when none had. */
  model: z
    .object({ version: z.string().min(1).max(64), risk: z.number().min(0).max(1), label: z.enum(['pneumonia', 'normal']) })
    .nullable(),
  ageBand: z.string().regex(/^\d{1,3}-\d{1,3}$|^\d{1,3}\+$/).nullable(),
  sex: z.enum(['FEMALE', 'MALE', 'OTHER', 'UNKNOWN']),
  studyYear: z.number().int().min(1900).max(2200).nullable(),
  image: StoredImage,
  /**
   * The de-identified DICOM copy in the research bucket when the original was DICOM. Optional and
   * additive (older publishers omit it), so the schema stays version 1.
   */
  dicom: z.object({ key: z.string().min(1).max(256), sha256: z.string().regex(/^[a-f0-9]{64}$/) }).optional(),
  deidentification: z.object({ method: z.string().max(200), textRegionsRemoved: z.number().int().min(0) }),
  occurredAt: isoDate,
});
export type ResearchLabeledV1 = z.infer<typeof ResearchLabeledV1>;

export const PredictionLabel = z.enum(['pneumonia', 'normal']);

export const PredictionCreatedV1 = z.object({
  version: z.literal(1),
  hospitalId: id,
  studyId: id,
  modelVersion: z.string().min(1).max(64),
  risk: z.number().min(0).max(1),
  label: PredictionLabel,
  threshold: z.number().min(0).max(1),
  /** A shadow prediction is recorded for comparison and never shown to doctors. */
  shadow: z.boolean().default(false),
  timings: z.object({ queueMs: z.number().min(0), preprocessMs: z.number().min(0), inferenceMs: z.number().min(0) }),
  occurredAt: isoDate,
});
export type PredictionCreatedV1 = z.infer<typeof PredictionCreatedV1>;

export const TriageStatus = z.enum(['AWAITING_IMAGE', 'AWAITING_PREDICTION', 'WAITING', 'REVIEWED']);
export type TriageStatus = z.infer<typeof TriageStatus>;

export const TriageUpdatedV1 = z.object({
  version: z.literal(1),
  hospitalId: id,
  studyId: id,
  status: TriageStatus,
  priority: z.number().int(),
  risk: z.number().min(0).max(1).nullable(),
  modelVersion: z.string().nullable(),
  occurredAt: isoDate,
});
export type TriageUpdatedV1 = z.infer<typeof TriageUpdatedV1>;

export const InferenceDeadLetterV1 = z.object({
  version: z.literal(1),
  hospitalId: id,
  studyId: id.optional(),
  reason: z.string().max(2000),
  deliveries: z.number().int().min(0),
  stream: z.string(),
  streamSequence: z.number().int().min(0),
  occurredAt: isoDate,
});
export type InferenceDeadLetterV1 = z.infer<typeof InferenceDeadLetterV1>;

export const DirectoryHospital = z.object({
  id,
  slug: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  subgraphUrl: z.string().url(),
});
export const DirectoryHospitalsV1 = z.object({
  version: z.literal(1),
  hospitals: z.array(DirectoryHospital),
  publishedAt: isoDate,
});
export type DirectoryHospitalsV1 = z.infer<typeof DirectoryHospitalsV1>;

/** Message ids JetStream uses to drop duplicates within its window. */
export const messageIds = {
  studyCreated: (studyId: string) => `study-created:${studyId}`,
  /** The study event re-announced once its image is stored; one per distinct image. */
  studyImageStored: (studyId: string, sha256: string) => `study-image:${studyId}:${sha256}`,
  studyReviewed: (reviewId: string) => `study-reviewed:${reviewId}`,
  /** Keyed by the de-identified example id: the research center never sees a hospital record id. */
  researchLabeled: (exampleId: string) => `research-labeled:${exampleId}`,
  prediction: (studyId: string, modelVersion: string, shadow = false) =>
    `prediction:${studyId}:${modelVersion}${shadow ? ':shadow' : ''}`,
};

export function encodeEvent<T>(schema: z.ZodType<T>, payload: T): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(schema.parse(payload)));
}

/** Parse on receive, never trust: throws a ZodError for a malformed payload. */
export function decodeEvent<T>(schema: z.ZodType<T>, data: Uint8Array): T {
  return schema.parse(JSON.parse(new TextDecoder().decode(data)));
}
