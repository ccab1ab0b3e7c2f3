import type { IngestErrorCode } from '../ingest-error.js';

/**
 * The STOW-RS Store Instances Response (PS3.18 10.5.3) in the DICOM JSON model (PS3.18 F.2):
 * ReferencedSOPSequence (0008,1199) for stored instances, FailedSOPSequence (0008,1198) with a
 * FailureReason (0008,1197) for the others.
 */

/** Failure reasons (PS3.4 Annex GG / PS3.18 Table 10.5.3-3). */
export const FAILURE_REASON = {
  processingFailure: 0x0110,
  sopClassNotSupported: 0x0122,
  outOfResources: 0xa700,
  dataSetDoesNotMatchSopClass: 0xa900,
  cannotUnderstand: 0xc000,
  transferSyntaxNotSupported: 0xc122,
} as const;

export function failureReasonFor(code: IngestErrorCode | 'INTERNAL', message = ''): number {
  switch (code) {
    case 'PAYLOAD_TOO_LARGE':
    case 'TOO_MANY_PIXELS':
      return FAILURE_REASON.outOfResources;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return /transfer syntax/i.test(message) ? FAILURE_REASON.transferSyntaxNotSupported : FAILURE_REASON.cannotUnderstand;
    case 'NO_PIXEL_DATA':
      return FAILURE_REASON.sopClassNotSupported;
    case 'PATIENT_REQUIRED':
      return FAILURE_REASON.dataSetDoesNotMatchSopClass;
    case 'CORRUPT_IMAGE':
    case 'EMPTY_UPLOAD':
      return FAILURE_REASON.cannotUnderstand;
    default:
      return FAILURE_REASON.processingFailure;
  }
}

export interface StoredInstance {
  sopClassUid?: string;
  sopInstanceUid?: string;
}

export interface FailedInstance extends StoredInstance {
  failureReason: number;
  /**
   * Why, for the sender's logs, as ErrorComment (0000,0902). Given in full although its VR (LO)
   * allows 64 characters: a cut reason helps nobody, and JSON readers do not enforce the length.
   */
  comment: string;
}

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

const ui = (value: string | undefined) => (value ? { vr: 'UI', Value: [value] } : undefined);

function referenced({ sopClassUid, sopInstanceUid }: StoredInstance): DicomJson {
  const item: DicomJson = {};
  const sopClass = ui(sopClassUid);
  const sopInstance = ui(sopInstanceUid);
  if (sopClass) item['00081150'] = sopClass;
  if (sopInstance) item['00081155'] = sopInstance;
  return item;
}

export function storeResponse(stored: StoredInstance[], failed: FailedInstance[]): DicomJson {
  const response: DicomJson = {};
  if (failed.length) {
    response['00081198'] = {
      vr: 'SQ',
      Value: failed.map((f) => ({
        ...referenced(f),
        '00081197': { vr: 'US', Value: [f.failureReason] },
        '00000902': { vr: 'LO', Value: [f.comment] },
      })),
    };
  }
  if (stored.length) response['00081199'] = { vr: 'SQ', Value: stored.map(referenced) };
  return response;
}

/** 200 all stored, 202 some stored, 409 none stored. */
export function storeStatus(stored: number, failed: number): number {
  if (failed === 0) return 200;
  return stored > 0 ? 202 : 409;
}
