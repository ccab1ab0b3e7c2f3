/** Image types accepted for upload, decided from the first bytes of the content, never from a name. */
export type ImageKind = 'jpeg' | 'png' | 'dicom';

export const CONTENT_TYPES: Record<ImageKind, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  dicom: 'application/dicom',
};

export const FILE_EXTENSIONS: Record<ImageKind, string> = { jpeg: 'jpg', png: 'png', dicom: 'dcm' };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** DICOM Part 10: a 128-byte preamble, then "DICM". */
const DICOM_PREFIX_OFFSET = 128;
const DICM = [0x44, 0x49, 0x43, 0x4d];

/** Bytes needed to tell every supported kind apart. */
export const SNIFF_BYTES = DICOM_PREFIX_OFFSET + DICM.length;

const startsWith = (bytes: Uint8Array, magic: number[], offset = 0) =>
  bytes.length >= offset + magic.length && magic.every((b, i) => bytes[offset + i] === b);

/** The kind of image `head` (at least SNIFF_BYTES, or the whole content when shorter) starts, or null. */
export function sniffImageKind(head: Uint8Array): ImageKind | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, PNG_SIGNATURE)) return 'png';
  if (startsWith(head, DICM, DICOM_PREFIX_OFFSET)) return 'dicom';
  return null;
}

/** True when `head` is long enough for sniffImageKind to give a final answer. */
export function canSniff(head: Uint8Array): boolean {
  return head.length >= SNIFF_BYTES || sniffImageKind(head) === 'jpeg' || sniffImageKind(head) === 'png';
}
