/** Stable codes of the ingest endpoints' JSON errors (`{ error, message }`), with their HTTP status. */
export const INGEST_ERRORS = {
  EMPTY_UPLOAD: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UPLOAD_URL_EXPIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_PIXELS: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CORRUPT_IMAGE: 422,
  NO_PIXEL_DATA: 422,
  PATIENT_REQUIRED: 422,
  UNAVAILABLE: 503,
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;

/**
 * An expected refusal of an upload. Messages are written for the person uploading and never
 * quote values from the file (a DICOM header is full of patient data).
 */
export class IngestError extends Error {
  readonly status: number;

  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IngestError';
    this.status = INGEST_ERRORS[code];
  }

  toJSON(): { error: IngestErrorCode; message: string } {
    return { error: this.code, message: this.message };
  }
}

export const ingestError = (code: IngestErrorCode, message: string) => new IngestError(code, message);

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}
