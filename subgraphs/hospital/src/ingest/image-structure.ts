import { crc32 } from 'node:zlib';

/**
 * Structural integrity of JPEG and PNG files without decoding a pixel: every segment or chunk is
 * where its length says, the image data is complete and the end marker is there. This finds truncated
 * uploads (the usual damage: an interrupted transfer or copy) and files that are not what they start
 * like, in a fraction of a millisecond. Damage inside the compressed pixel data of a well-formed file
 * is found by the inference worker, which decodes every image and dead-letters the ones it cannot
 * decode, with the reason.
 *
 * Each function returns why the file is damaged, or null when its structure is whole.
 */

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
/** Start-of-frame markers (baseline, extended, progressive, lossless; Huffman and arithmetic). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;

export function jpegStructureProblem(bytes: Uint8Array): string | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return 'it does not start with a JPEG start-of-image marker';
  let pos = 2;
  let frame = false;
  let scans = 0;
  for (;;) {
    if (pos >= bytes.length) return scans ? 'it ends inside its image data (truncated)' : 'it ends before its image data (truncated)';
    if (bytes[pos] !== 0xff) return `expected a marker at byte ${pos}`;
    // Any number of 0xFF fill bytes may precede a marker.
    while (pos < bytes.length && bytes[pos] === 0xff) pos++;
    if (pos >= bytes.length) return 'it ends inside a marker (truncated)';
    const marker = bytes[pos]!;
    pos++;
    if (marker === EOI) {
      if (!frame) return 'it has no frame header';
      if (!scans) return 'it has no image data';
      return null;
    }
    if (marker === SOI || marker === 0x00) return `unexpected marker 0x${marker.toString(16)} at byte ${pos - 1}`;
    if (isRestart(marker) || marker === 0x01) continue; // standalone markers carry no length
    if (pos + 2 > bytes.length) return 'it ends inside a segment header (truncated)';
    const length = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (length < 2) return `a segment at byte ${pos} has an impossible length`;
    if (pos + length > bytes.length) return 'it ends inside a segment (truncated)';
    if (SOF.has(marker)) {
      if (length < 8) return 'its frame header is too short';
      const width = (bytes[pos + 5]! << 8) | bytes[pos + 6]!;
      if (width === 0) return 'its frame header has no width';
      frame = true;
    }
    pos += length;
    if (marker === SOS) {
      if (!frame) return 'image data comes before the frame header';
      scans++;
      // Entropy-coded data runs to the next marker: 0xFF followed by neither a stuffed zero nor a restart.
      for (;;) {
        const ff = bytes.indexOf(0xff, pos);
        if (ff < 0 || ff + 1 >= bytes.length) return 'it ends inside its image data (truncated)';
        const next = bytes[ff + 1]!;
        if (next === 0x00 || isRestart(next) || next === 0xff) {
          pos = next === 0xff ? ff + 1 : ff + 2;
          continue;
        }
        pos = ff;
        break;
      }
    }
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngStructureProblem(bytes: Uint8Array): string | null {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return 'it does not start with the PNG signature';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let first = true;
  let data = false;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type)) return `an invalid chunk type at byte ${pos}`;
    if (first && type !== 'IHDR') return 'its first chunk is not IHDR';
    first = false;
    const end = pos + 12 + length;
    if (end > bytes.length) return `it ends inside its ${type} chunk (truncated)`;
    const stored = view.getUint32(pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== stored) return `its ${type} chunk fails its checksum`;
    if (type === 'IDAT') data = true;
    if (type === 'IEND') return data ? null : 'it has no image data';
    pos = end;
  }
  return 'it ends before its IEND chunk (truncated)';
}
