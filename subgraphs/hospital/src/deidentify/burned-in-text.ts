import sharp from 'sharp';
import type { OcrEngine } from './ocr.js';
import { PSM } from './ocr.js';
import { clip, fillBoxesWithLocalMedian, pad, type PixelBox } from './pixel-fill.js';
import { DEFAULT_TEXT_DETECTION, detectTextLines, strokeMask, type GrayImage } from './text-detection.js';

/** Padding around every found line or word before it is painted over (anti-aliasing, descenders). */
export const TEXT_BOX_PADDING = 4;
/** Larger images are searched at a reduced size (memory and time), boxes mapped back. */
const DETECTION_MAX_PIXELS = 16_000_000;
/** The OCR image (the text layer upscaled for Tesseract) stays under this size. */
const OCR_MAX_PIXELS = 24_000_000;
/** Small text reads better enlarged: the burned-in text of X-rays is often ~10 px high. */
const OCR_UPSCALE = 2;
const OCR_MIN_CONFIDENCE = 50;

export interface BurnedInTextResult {
  /** The cleaned image: 8-bit grayscale PNG, no metadata. */
  png: Buffer;
  /** The cleaned pixels (same as `png`). */
  image: GrayImage;
  /** The padded boxes that were painted with the local background, in image pixels. */
  boxes: PixelBox[];
  /** Where the boxes came from (counts only: never the text read). */
  found: { lines: number; ocrWords: number };
}

/** The image as 8-bit grayscale pixels, EXIF orientation applied (as viewers show it). */
export async function decodeGray(imageBytes: Uint8Array): Promise<GrayImage> {
  const { data, info } = await sharp(imageBytes, { limitInputPixels: false })
    .rotate()
    .toColourspace('b-w')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const gray = info.channels === 1 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : firstChannel(data, info.channels);
  return { gray, width: info.width, height: info.height };
}

function firstChannel(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels]!;
  return out;
}

export const encodeGrayPng = (image: GrayImage) =>
  sharp(image.gray, { raw: { width: image.width, height: image.height, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();

/**
 * Finds text burned into an image, anywhere in it, and paints each text box over with the local
 * background (the median of the pixels around the box); pixels outside the boxes are unchanged.
 * Two detectors whose boxes are united:
 *   - the stroke/glyph/line detector of text-detection.ts (bright and dark text, no OCR);
 *   - Tesseract word boxes (sparse-text mode) read from the image's text layer (its thin
 *     high-contrast strokes, black on white, enlarged), which catches words the first one missed.
 */
export async function removeBurnedInText(imageBytes: Uint8Array, ocr: OcrEngine): Promise<BurnedInTextResult> {
  const image = await decodeGray(imageBytes);
  const { width, height } = image;
  const scale = Math.min(1, Math.sqrt(DETECTION_MAX_PIXELS / (width * height)));
  const searched = scale < 1 ? await resizeGray(image, scale) : image;
  const toImage = (box: PixelBox): PixelBox =>
    scale < 1 ? { left: box.left / scale, top: box.top / scale, width: box.width / scale, height: box.height / scale } : box;

  const lines = detectTextLines(searched);
  const words = await ocrWordBoxes(searched, ocr);
  const padding = Math.ceil(TEXT_BOX_PADDING / scale);
  const boxes = [...lines, ...words]
    .map((box) => clip(toImage(box), width, height))
    .filter((box): box is PixelBox => box !== null)
    .map((box) => pad(box, padding, width, height));

  const cleaned: GrayImage = { gray: image.gray.slice(), width, height };
  fillBoxesWithLocalMedian(cleaned.gray, width, height, boxes);
  return { png: await encodeGrayPng(cleaned), image: cleaned, boxes, found: { lines: lines.length, ocrWords: words.length } };
}

/** Word boxes (in `image` pixels) Tesseract reads with some confidence and at least two letters or digits. */
async function ocrWordBoxes(image: GrayImage, ocr: OcrEngine): Promise<PixelBox[]> {
  const mask = strokeMask(image.gray, image.width, image.height, DEFAULT_TEXT_DETECTION);
  const layer = new Uint8Array(mask.length).fill(255);
  for (let i = 0; i < mask.length; i++) if (mask[i]) layer[i] = 0;
  const upscale = Math.max(1, Math.min(OCR_UPSCALE, Math.sqrt(OCR_MAX_PIXELS / (image.width * image.height))));
  const png = await sharp(layer, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize({ width: Math.round(image.width * upscale), kernel: 'cubic' })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const words = await ocr.words(png, PSM.sparse);
  return words
    .filter((word) => word.confidence >= OCR_MIN_CONFIDENCE && /[A-Za-z0-9].*[A-Za-z0-9]/.test(word.text))
    .map((word) => ({
      left: Math.floor(word.box.left / upscale),
      top: Math.floor(word.box.top / upscale),
      width: Math.ceil(word.box.width / upscale) + 1,
      height: Math.ceil(word.box.height / upscale) + 1,
    }));
}

async function resizeGray(image: GrayImage, scale: number): Promise<GrayImage> {
  const { data, info } = await sharp(image.gray, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize({ width: Math.max(1, Math.round(image.width * scale)), kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { gray: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
