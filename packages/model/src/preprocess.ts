import sharp from 'sharp';
import type { InputSpec } from './metadata.js';

/**
 * Image -> model input, as the model's input spec says. Mirrors research/triage_research/preprocess.py
 * operation for operation, so both sides produce the same uint8 28x28 image:
 * - sharp decodes (JPEG/PNG/...), applies the EXIF orientation and yields 8-bit grey or sRGB pixels;
 * - colour is reduced with PIL's fixed-point ITU-R 601-2 luma;
 * - the center square is cropped and resized with the "triangle" filter (PIL's antialiased
 *   bilinear reduction) in float64, rounded once to uint8. libvips' own resize is not used for
 *   this step: it box-shrinks before its kernel and lands up to 13 grey levels away.
 */

export class UnsupportedImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedImageError';
  }
}

export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Refuse decompression bombs before decoding (a chest film is far below this). */
const MAX_INPUT_PIXELS = 80_000_000;

export async function decodeGrayscale(imageBytes: Uint8Array): Promise<GrayImage> {
  const input = sharp(imageBytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
  const meta = await input.metadata();
  if (meta.depth && meta.depth !== 'uchar') {
    throw new UnsupportedImageError(`unsupported sample depth ${meta.depth} (8-bit images only)`);
  }
  const grey = meta.channels !== undefined && meta.channels <= 2 && meta.space !== 'srgb';
  const pipeline = input.autoOrient();
  const { data, info } = grey
    ? await pipeline.extractChannel(0).raw().toBuffer({ resolveWithObject: true })
    : await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  if (info.channels === 1) return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, pixels) };
  if (info.channels !== 3) throw new UnsupportedImageError(`unexpected ${info.channels} channels after decoding`);
  const luma = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    // (R*19595 + G*38470 + B*7471 + 32768) >> 16, exact in double precision
    luma[i] = Math.floor((data[j]! * 19595 + data[j + 1]! * 38470 + data[j + 2]! * 7471 + 32768) / 65536);
  }
  return { width: info.width, height: info.height, data: luma };
}

export interface Taps {
  starts: Int32Array;
  counts: Int32Array;
  /** outSize rows of `width` weights each, normalised per row. */
  weights: Float64Array;
  width: number;
}

/** Same arithmetic as triangle_weights() in preprocess.py (PIL's precompute_coeffs, bilinear). */
export function triangleWeights(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1.0);
  const support = 1.0 * filterScale;
  const width = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Float64Array(outSize * width);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xMin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xMax = Math.min(Math.trunc(center + support + 0.5), inSize);
    const count = xMax - xMin;
    let total = 0.0;
    for (let x = 0; x < count; x++) {
      const t = Math.abs((x + xMin - center + 0.5) * (1.0 / filterScale));
      const w = t < 1.0 ? 1.0 - t : 0.0;
      weights[i * width + x] = w;
      total += w;
    }
    for (let x = 0; x < count; x++) weights[i * width + x] = weights[i * width + x]! / total;
    starts[i] = xMin;
    counts[i] = count;
  }
  return { starts, counts, weights, width };
}

/**
 * Center square of `image`, resized to size x size with the triangle filter, as uint8.
 * Every output sums its taps in the same order as preprocess.py, so the float64 results are identical;
 * the loops only hoist offsets (this runs once per study on the worker's hot path).
 */
export function centerSquareTriangle(image: GrayImage, size: number): Uint8Array {
  const side = Math.min(image.width, image.height);
  const top = Math.floor((image.height - side) / 2);
  const left = Math.floor((image.width - side) / 2);
  const { starts, counts, weights, width: tapWidth } = triangleWeights(side, size);
  const data = image.data;
  // Horizontal pass: every row of the square -> size columns (float64).
  const horizontal = new Float64Array(side * size);
  for (let r = 0; r < side; r++) {
    const rowStart = (top + r) * image.width + left;
    const rowOut = r * size;
    for (let i = 0; i < size; i++) {
      const pixel0 = rowStart + starts[i]!;
      const weight0 = i * tapWidth;
      const count = counts[i]!;
      let acc = 0.0;
      for (let x = 0; x < count; x++) acc += weights[weight0 + x]! * data[pixel0 + x]!;
      horizontal[rowOut + i] = acc;
    }
  }
  // Vertical pass, then one rounding to uint8.
  const out = new Uint8Array(size * size);
  for (let j = 0; j < size; j++) {
    const weight0 = j * tapWidth;
    const count = counts[j]!;
    for (let i = 0; i < size; i++) {
      let acc = 0.0;
      let h = starts[j]! * size + i;
      for (let y = 0; y < count; y++, h += size) acc += weights[weight0 + y]! * horizontal[h]!;
      const v = Math.floor(acc + 0.5);
      out[j * size + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** uint8 pixels (already size x size) -> normalised float32: (v / 255 - mean) / std. */
export function normalizePixels(pixels: Uint8Array, spec: InputSpec): Float32Array {
  const { mean, std } = spec.normalize;
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i]! / 255.0 - mean) / std;
  return out;
}

/** True when two specs take the same pixels before normalisation (size, crop, resize, channels, layout). */
export function sameGeometry(a: InputSpec, b: InputSpec): boolean {
  const { normalize: _a, ...geometryA } = a;
  const { normalize: _b, ...geometryB } = b;
  return JSON.stringify(geometryA) === JSON.stringify(geometryB);
}

/**
 * A tensor normalised for `from` -> the same image normalised for `to` (specs of the same geometry).
 * The uint8 pixels are recovered exactly (float32 rounding is far below half a grey level) and
 * normalised as `normalizePixels` does, so the result equals preprocessing the image for `to`:
 * a model trained with other normalisation statistics scores the very tensors the active model saw.
 */
export function renormalize(input: Float32Array, from: InputSpec, to: InputSpec): Float32Array {
  const { mean, std } = from.normalize;
  const pixels = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const v = Math.round((input[i]! * std + mean) * 255);
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return normalizePixels(pixels, to);
}

/** The spec's uint8 image (before normalisation): useful for display and parity checks. */
export async function preprocessToPixels(imageBytes: Uint8Array, spec: InputSpec): Promise<Uint8Array> {
  return centerSquareTriangle(await decodeGrayscale(imageBytes), spec.size);
}

/** Image bytes -> one normalised 1 x size x size input tensor (NCHW without the batch axis). */
export async function preprocess(imageBytes: Uint8Array, spec: InputSpec): Promise<Float32Array> {
  return normalizePixels(await preprocessToPixels(imageBytes, spec), spec);
}
