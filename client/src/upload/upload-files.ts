/** File checks and server answers of the upload page; pure so each message is tested. */

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

const ACCEPTED_TYPES = new Set(['image/png', 'image/jpeg', 'application/dicom']);
const ACCEPTED_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.dcm', '.dicom'];

/** The `accept` attribute of the file picker. */
export const FILE_ACCEPT = 'image/png,image/jpeg,application/dicom,.png,.jpg,.jpeg,.dcm,.dicom';

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

/**
 * Refuses only what is certainly wrong before spending a request on it. DICOM files from a
 * modality often have no extension and no MIME type, so an unknown type goes to the server,
 * which decides by content.
 */
export function localFileProblem(file: FileLike): string | null {
  if (file.size === 0) return 'The file is empty.';
  const extension = extensionOf(file.name);
  if (ACCEPTED_TYPES.has(file.type) || ACCEPTED_EXTENSIONS.includes(extension)) return null;
  if (file.type === '' || file.type === 'application/octet-stream') return null;
  return 'Not a PNG, JPEG or DICOM file.';
}

/** Content-Type of the PUT: the browser's guess, else what the extension says. */
export function uploadContentType(file: FileLike): string {
  if (file.type) return file.type;
  const extension = extensionOf(file.name);
  if (extension === '.dcm' || extension === '.dicom') return 'application/dicom';
  if (extension === '.png') return 'image/png';
  if (extension === '.jpg' || extension === '.jpeg') return 'image/jpeg';
  return 'application/octet-stream';
}

/** The 201 answer of the upload URL. */
export interface StoredImage {
  studyId: string;
  sha256: string;
  contentType: string;
  width: number;
  height: number;
}

export function parseStoredImage(body: unknown): StoredImage | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.studyId !== 'string') return null;
  return {
    studyId: b.studyId,
    sha256: typeof b.sha256 === 'string' ? b.sha256 : '',
    contentType: typeof b.contentType === 'string' ? b.contentType : '',
    width: typeof b.width === 'number' ? b.width : 0,
    height: typeof b.height === 'number' ? b.height : 0,
  };
}

const STATUS_HINTS: Record<number, string> = {
  400: 'The upload was rejected.',
  401: 'Your session has ended; sign in again.',
  403: 'The upload link is no longer valid.',
  404: 'The upload link is no longer valid.',
  409: 'This study already has an image.',
  410: 'The upload link has expired.',
  413: 'The file is too large.',
  415: 'The file type is not supported (PNG, JPEG or DICOM).',
  422: 'The image could not be read.',
};

export interface UploadFailure {
  message: string;
  /** Whether sending the same bytes again can succeed (network trouble, server busy). */
  retryable: boolean;
}

/** Turns a non-201 answer ({error, message} JSON, or anything else) into what the technician reads. */
export function describeUploadError(status: number, body: unknown): UploadFailure {
  const serverMessage =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message.trim()
      : '';
  if (status === 0) {
    return { message: 'The connection was lost during the upload.', retryable: true };
  }
  const hint = STATUS_HINTS[status] ?? (status >= 500 ? 'The server could not store the file right now.' : `The upload failed (HTTP ${status}).`);
  const message = serverMessage && serverMessage !== hint ? `${hint} ${serverMessage}` : hint;
  return { message, retryable: status >= 500 || status === 408 || status === 429 };
}
