import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { readDicomFile, type DicomHeader } from './dicom/dicom-file.js';
import { renderDicom, renditionPng } from './dicom/dicom-render.js';
import { jpegStructureProblem, pngStructureProblem } from './image-structure.js';
import { ingestError } from './ingest-error.js';
import { CONTENT_TYPES, FILE_EXTENSIONS, sniffImageKind, type ImageKind } from './sniff.js';

export interface ImageLimits {
  maxUploadBytes: number;
  maxImagePixels: number;
}

export interface StoredBytes {
  bytes: Buffer;
  sha256: string;
  contentType: string;
}

/** An upload that passed every check, ready to be stored. */
export interface PreparedImage {
  kind: ImageKind;
  /** The bytes exactly as received; their checksum identifies the upload. */
  original: StoredBytes & { extension: string };
  /** What the inference worker reads: the original for JPEG/PNG, an 8-bit PNG rendition for DICOM. */
  image: StoredBytes & { width: number; height: number };
  /** Patient and study attributes, for DICOM only. */
  header: DicomHeader | null;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Decides the type from the content, checks size, pixels and integrity, and renders DICOM. Throws
 * IngestError with a status and a message for the uploader on every refusal.
 */
export async function prepareImage(bytes: Buffer, limits: ImageLimits): Promise<PreparedImage> {
  if (bytes.length === 0) throw ingestError('EMPTY_UPLOAD', 'the upload is empty (0 bytes); send the image bytes as the request body');
  const kind = sniffImageKind(bytes);
  if (!kind) throw unsupportedType();
  const original = { bytes, sha256: sha256Hex(bytes), contentType: CONTENT_TYPES[kind], extension: FILE_EXTENSIONS[kind] };
  if (kind === 'dicom') {
    const file = readDicomFile(bytes, { maxInflatedBytes: limits.maxUploadBytes * 4 });
    const rendition = await renderDicom(file, limits);
    const png = await renditionPng(rendition);
    return {
      kind,
      original,
      image: { bytes: png, sha256: sha256Hex(png), contentType: CONTENT_TYPES.png, width: rendition.width, height: rendition.height },
      header: file.header,
    };
  }
  const { width, height } = await checkRaster(bytes, kind, limits.maxImagePixels);
  return { kind, original, image: { ...original, width, height }, header: null };
}

export function unsupportedType() {
  return ingestError(
    'UNSUPPORTED_MEDIA_TYPE',
    'unsupported file type: accepted are JPEG, PNG and DICOM Part 10 (recognised by their content, not by name or Content-Type)',
  );
}

/**
 * JPEG/PNG: the size comes from the header alone, so a decompression bomb (a small file of a huge
 * image) is refused before any pixel is decoded; then the file's structure is checked end to end
 * (image-structure.ts), which refuses truncated and malformed files before they are stored. Pixels
 * are decoded once, by the inference worker, which dead-letters an image it cannot decode with the
 * reason (decoding here as well cost about 7 ms of CPU per upload).
 */
async function checkRaster(bytes: Buffer, kind: 'jpeg' | 'png', maxImagePixels: number): Promise<{ width: number; height: number }> {
  const label = kind === 'jpeg' ? 'JPEG' : 'PNG';
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw ingestError('CORRUPT_IMAGE', `corrupt image: the file starts like a ${label} but its header cannot be read`);
  }
  // Width and height as displayed, after the EXIF orientation the worker also applies.
  const width = metadata.autoOrient?.width ?? metadata.width;
  const height = metadata.autoOrient?.height ?? metadata.height;
  if (metadata.format !== kind || !width || !height) {
    throw ingestError('CORRUPT_IMAGE', `corrupt image: the file starts like a ${label} but its header cannot be read`);
  }
  if (width * height > maxImagePixels) {
    throw ingestError(
      'TOO_MANY_PIXELS',
      `too many pixels: the image is ${width} x ${height} = ${width * height} pixels, at most ${maxImagePixels} are accepted`,
    );
  }
  const problem = kind === 'jpeg' ? jpegStructureProblem(bytes) : pngStructureProblem(bytes);
  if (problem) throw ingestError('CORRUPT_IMAGE', `corrupt image: the ${label} is damaged: ${problem}`);
  return { width, height };
}
