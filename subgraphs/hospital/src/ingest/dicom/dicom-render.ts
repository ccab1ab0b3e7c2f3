import dicomParser from 'dicom-parser';
import sharp, { type OutputInfo } from 'sharp';
import { ingestError } from '../ingest-error.js';
import { NATIVE_TRANSFER_SYNTAXES, TRANSFER_SYNTAX, transferSyntaxName, type DicomFile, type PixelModule } from './dicom-file.js';

/**
 * Renders the first frame of a DICOM image as 8-bit grayscale, the way a viewer shows it by default
 * (PS3.3 C.11): stored values -> Modality LUT (RescaleSlope/Intercept) -> VOI LUT (the first
 * WindowCenter/Width, else the frame's min..max) -> MONOCHROME1 inverted, so that the inference
 * worker and people see the same picture for MONOCHROME1 and MONOCHROME2 of the same anatomy.
 */
export interface Rendition {
  width: number;
  height: number;
  /** rows x columns bytes, 0 = black. */
  gray: Uint8Array;
}

const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2']);

export interface RenderLimits {
  maxImagePixels: number;
}

export async function renderDicom(file: DicomFile, limits: RenderLimits): Promise<Rendition> {
  const px = file.pixels;
  if (!px || !file.pixelElement) throw ingestError('NO_PIXEL_DATA', 'DICOM has no pixel data (7FE0,0010): nothing to show or to score');
  if (px.rows <= 0 || px.columns <= 0) throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: pixel data without Rows and Columns');
  const pixels = px.rows * px.columns;
  if (pixels > limits.maxImagePixels) {
    throw ingestError(
      'TOO_MANY_PIXELS',
      `too many pixels: the image is ${px.columns} x ${px.rows} = ${pixels} pixels, at most ${limits.maxImagePixels} are accepted`,
    );
  }
  const ts = file.transferSyntaxUid;
  if (NATIVE_TRANSFER_SYNTAXES.has(ts)) return renderNative(file, px);
  if (ts === TRANSFER_SYNTAX.jpegBaseline) return renderJpegBaseline(file, px);
  throw ingestError(
    'UNSUPPORTED_MEDIA_TYPE',
    `DICOM transfer syntax ${ts || '(none)'} (${transferSyntaxName(ts)}) cannot be decoded here; ` +
      'send the instance uncompressed (Explicit VR Little Endian) or as JPEG Baseline',
  );
}

function renderNative(file: DicomFile, px: PixelModule): Rendition {
  const element = file.pixelElement!;
  if (element.encapsulatedPixelData) throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: encapsulated pixel data in an uncompressed transfer syntax');
  const { rows, columns, samplesPerPixel: spp, bitsAllocated } = px;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw ingestError('UNSUPPORTED_MEDIA_TYPE', `DICOM with ${bitsAllocated} bits allocated per sample is not supported (8 and 16 are)`);
  }
  if (px.bitsStored < 1 || px.bitsStored > bitsAllocated || px.highBit >= bitsAllocated || px.highBit + 1 < px.bitsStored) {
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: Bits Stored / High Bit do not fit Bits Allocated');
  }
  const frameBytes = rows * columns * spp * (bitsAllocated / 8);
  const bytes = file.dataSet.byteArray;
  if (element.length < frameBytes || element.dataOffset + frameBytes > bytes.length) {
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: the pixel data is shorter than Rows x Columns x Samples x Bits Allocated (truncated file?)');
  }
  const data = bytes.subarray(element.dataOffset, element.dataOffset + frameBytes);

  if (spp === 3 && px.photometricInterpretation === 'RGB' && bitsAllocated === 8) {
    return { width: columns, height: rows, gray: rgbToGray(data, rows * columns, px.planarConfiguration === 1) };
  }
  if (spp !== 1 || !MONOCHROME.has(px.photometricInterpretation)) {
    throw ingestError(
      'UNSUPPORTED_MEDIA_TYPE',
      `DICOM photometric interpretation "${px.photometricInterpretation || '(none)'}" with ${spp} samples per pixel is not supported ` +
        '(MONOCHROME1, MONOCHROME2 and 8-bit RGB are)',
    );
  }
  let raw: Uint8Array | Uint16Array;
  if (bitsAllocated === 8) {
    raw = data;
  } else {
    // An aligned copy: the element may start at an odd offset, and big-endian samples are swapped here.
    const copy = Buffer.alloc(frameBytes);
    copy.set(data);
    if (file.transferSyntaxUid === TRANSFER_SYNTAX.explicitBig) copy.swap16();
    raw = new Uint16Array(copy.buffer, copy.byteOffset, rows * columns);
  }
  return { width: columns, height: rows, gray: applyLuts(raw, px) };
}

async function renderJpegBaseline(file: DicomFile, px: PixelModule): Promise<Rendition> {
  const element = file.pixelElement!;
  let frame: Uint8Array;
  try {
    if (!element.encapsulatedPixelData || !element.fragments?.length) throw new Error('not encapsulated');
    frame =
      px.numberOfFrames > 1
        ? dicomParser.readEncapsulatedImageFrame(
            file.dataSet,
            element,
            0,
            element.basicOffsetTable?.length ? element.basicOffsetTable : dicomParser.createJPEGBasicOffsetTable(file.dataSet, element),
          )
        : dicomParser.readEncapsulatedPixelDataFromFragments(file.dataSet, element, 0, element.fragments.length);
  } catch {
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: the JPEG Baseline pixel data fragments cannot be read');
  }
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(frame, { failOn: 'error', limitInputPixels: px.rows * px.columns })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: the JPEG Baseline frame cannot be decoded');
  }
  if (decoded.info.width !== px.columns || decoded.info.height !== px.rows || decoded.info.channels !== 1) {
    throw ingestError('CORRUPT_IMAGE', 'corrupt DICOM: the JPEG frame does not have the size given by Rows and Columns');
  }
  const gray = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, px.rows * px.columns);
  // Colour JPEGs (YBR/RGB) have no modality or VOI LUT: their luminance is the picture.
  if (!MONOCHROME.has(px.photometricInterpretation)) return { width: px.columns, height: px.rows, gray };
  return { width: px.columns, height: px.rows, gray: applyLuts(gray, { ...px, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0 }) };
}

function rgbToGray(data: Uint8Array, pixels: number, planar: boolean): Uint8Array {
  const gray = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const [r, g, b] = planar ? [data[i]!, data[pixels + i]!, data[2 * pixels + i]!] : [data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!];
    gray[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  return gray;
}

/**
 * Maps every possible raw sample (2^8 or 2^16 of them) to its output byte once, then looks each
 * pixel up: a 50-megapixel 16-bit frame costs two passes over typed arrays.
 */
export function applyLuts(raw: Uint8Array | Uint16Array, px: PixelModule): Uint8Array {
  const size = raw instanceof Uint16Array ? 0x10000 : 0x100;
  const shift = px.highBit + 1 - px.bitsStored;
  const mask = px.bitsStored >= 32 ? 0xffffffff : (1 << px.bitsStored) - 1;
  const signBit = 1 << (px.bitsStored - 1);
  const storedOf = (sample: number) => {
    const value = (sample >> shift) & mask;
    return px.pixelRepresentation === 1 && value & signBit ? value - (mask + 1) : value;
  };
  const slope = px.rescaleSlope ?? 1;
  const intercept = px.rescaleIntercept ?? 0;
  const modality = (sample: number) => storedOf(sample) * slope + intercept;

  const voi = voiFunction(px, () => {
    // No usable window: stretch the frame's own range, ignoring padding around the anatomy.
    const seen = new Uint8Array(size);
    for (let i = 0; i < raw.length; i++) seen[raw[i]!] = 1;
    let min = Infinity;
    let max = -Infinity;
    for (let sample = 0; sample < size; sample++) {
      if (!seen[sample] || storedOf(sample) === px.pixelPaddingValue) continue;
      const value = modality(sample);
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { min, max };
  });

  const invert = px.photometricInterpretation === 'MONOCHROME1';
  const lut = new Uint8Array(size);
  for (let sample = 0; sample < size; sample++) {
    const y = Math.round(Math.min(255, Math.max(0, voi(modality(sample)))));
    lut[sample] = invert ? 255 - y : y;
  }
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = lut[raw[i]!]!;
  return out;
}

/** VOI LUT function (PS3.3 C.11.2.1.2) of the first window, else a min..max stretch; output 0..255. */
function voiFunction(px: PixelModule, range: () => { min: number; max: number }): (x: number) => number {
  const c = px.windowCenter;
  const w = px.windowWidth;
  if (c !== undefined && w !== undefined) {
    if (px.voiLutFunction === 'SIGMOID' && w > 0) return (x) => 255 / (1 + Math.exp((-4 * (x - c)) / w));
    if (px.voiLutFunction === 'LINEAR_EXACT' && w > 0) {
      return (x) => (x <= c - w / 2 ? 0 : x > c + w / 2 ? 255 : ((x - c) / w + 0.5) * 255);
    }
    if (w >= 1) {
      const low = c - 0.5 - (w - 1) / 2;
      const high = c - 0.5 + (w - 1) / 2;
      return (x) => (x <= low ? 0 : x > high ? 255 : w === 1 ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
    }
  }
  const { min, max } = range();
  if (!(max > min)) return () => 0;
  return (x) => ((x - min) / (max - min)) * 255;
}

/** The 8-bit grayscale PNG the worker and viewers read for a DICOM study. */
export async function renditionPng(rendition: Rendition): Promise<Buffer> {
  return sharp(Buffer.from(rendition.gray.buffer, rendition.gray.byteOffset, rendition.gray.length), {
    raw: { width: rendition.width, height: rendition.height, channels: 1 },
    limitInputPixels: false,
  })
    .toColourspace('b-w') // else sharp writes the single channel as RGB
    .png({ compressionLevel: 6 })
    .toBuffer();
}
