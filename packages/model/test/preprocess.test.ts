import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../src/model.js';
import { predict } from '../src/predict.js';
import {
  decodeGrayscale,
  normalizePixels,
  preprocess,
  preprocessToPixels,
  renormalize,
  sameGeometry,
  triangleWeights,
  UnsupportedImageError,
} from '../src/preprocess.js';
import { modelFiles, python, sampleFiles } from './helpers.js';

interface Reference {
  spec: { normalize: { mean: number; std: number } };
  results: { file: string; pixels: number[]; input: number[]; risk?: number; label?: string }[];
}

/**
 * Stated tolerance: at most one grey level (1/255/std in normalised units) per value. Both sides
 * decode with the libjpeg-turbo IDCT and run the same float64 resize, so in practice the
 * difference is 0; one grey level leaves room for a decoder that rounds differently.
 */
const GREY_LEVELS = 1;

describe('sharp preprocessing vs the Python reference on the 24 full-resolution samples', () => {
  let model: LoadedModel;
  let reference: Reference;
  let files: string[];

  beforeAll(async () => {
    const model_ = await modelFiles();
    model = await loadModel(model_.path);
    files = await sampleFiles();
    reference = await python<Reference>(['preprocess', '--checkpoint', model_.checkpoint, ...files]);
  }, 180_000);
  afterAll(() => model?.release());

  it('has all 24 samples, 12 per class', () => {
    expect(files).toHaveLength(24);
    expect(files.filter((f) => f.includes('/PNEUMONIA/'))).toHaveLength(12);
  });

  it('produces the same normalised inputs within one grey level', async () => {
    const tolerance = GREY_LEVELS / 255 / model.metadata.inputSpec.normalize.std;
    let maxDiff = 0;
    let differingPixels = 0;
    for (const [i, file] of files.entries()) {
      const bytes = new Uint8Array(await readFile(file));
      const input = await preprocess(bytes, model.metadata.inputSpec);
      const pixels = await preprocessToPixels(bytes, model.metadata.inputSpec);
      const ref = reference.results[i]!;
      expect(ref.file).toBe(file);
      expect(input).toHaveLength(28 * 28);
      input.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref.input[k]!))));
      pixels.forEach((v, k) => (differingPixels += v === ref.pixels[k] ? 0 : 1));
    }
    console.info(
      `preprocessing parity: max |normalised diff| ${maxDiff} (tolerance ${tolerance.toFixed(4)}), ` +
        `${differingPixels} of ${24 * 784} uint8 pixels differ`,
    );
    expect(maxDiff).toBeLessThanOrEqual(tolerance);
  });

  it('predicts the same label for every sample as PyTorch on the Python reference', async () => {
    const inputs = await Promise.all(files.map(async (f) => preprocess(new Uint8Array(await readFile(f)), model.metadata.inputSpec)));
    const predictions = await predict(model, inputs);
    expect(predictions.map((p) => p.label)).toEqual(reference.results.map((r) => r.label));
    predictions.forEach((p, i) => expect(Math.abs(p.risk - reference.results[i]!.risk!)).toBeLessThanOrEqual(1e-4));
  });
});

describe('preprocessing of other inputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'triage-pre-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('matches the Python reference for colour PNGs with alpha and EXIF-rotated JPEGs', async () => {
    const width = 90;
    const height = 60;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, 128], i * 4);
    }
    const png = path.join(dir, 'colour.png');
    await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toFile(png);
    const grey = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) grey[y * width + x] = x < 10 ? 250 : (x * 3 + y) % 200;
    const jpeg = path.join(dir, 'rotated.jpeg');
    await sharp(grey, { raw: { width, height, channels: 1 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(jpeg);

    const { checkpoint } = await modelFiles();
    const reference = await python<Reference>(['preprocess', '--checkpoint', checkpoint, png, jpeg]);
    for (const [i, file] of [png, jpeg].entries()) {
      const pixels = await preprocessToPixels(new Uint8Array(await readFile(file)), reference.spec as never);
      expect(Array.from(pixels)).toEqual(reference.results[i]!.pixels);
    }
    const rotated = await decodeGrayscale(new Uint8Array(await readFile(jpeg)));
    expect([rotated.width, rotated.height]).toEqual([height, width]);
  });

  it('refuses what is not an image', async () => {
    await expect(preprocess(new TextEncoder().encode('not an image'), {
      size: 28, crop: 'center-square', resize: 'triangle', grayscale: true, normalize: { mean: 0.5, std: 0.25 }, layout: 'NCHW',
    })).rejects.toThrow();
  });

  it('refuses 16-bit images instead of guessing a scaling', async () => {
    const png16 = await sharp(Buffer.alloc(8 * 8 * 2, 0x7f), { raw: { width: 8, height: 8, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    await expect(decodeGrayscale(new Uint8Array(png16))).rejects.toThrow(UnsupportedImageError);
  });

  it('normalised tent weights cover every input pixel near the centre', () => {
    const taps = triangleWeights(1000, 28);
    for (let i = 0; i < 28; i++) {
      let sum = 0;
      for (let x = 0; x < taps.counts[i]!; x++) sum += taps.weights[i * taps.width + x]!;
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});

describe('renormalize', () => {
  const spec = (mean: number, std: number, size = 28) =>
    ({ size, crop: 'center-square', resize: 'triangle', grayscale: true, normalize: { mean, std }, layout: 'NCHW' }) as const;

  it('turns a tensor for one normalisation into exactly the tensor for another, for every grey level', () => {
    const pixels = Uint8Array.from({ length: 256 }, (_, i) => i);
    const from = spec(0.5719, 0.1684);
    for (const to of [spec(0.5723, 0.1687), spec(0.5, 0.25), spec(0, 1)]) {
      const adapted = renormalize(normalizePixels(pixels, from), from, to);
      expect(Array.from(adapted)).toEqual(Array.from(normalizePixels(pixels, to)));
    }
  });

  it('knows which specs differ only in their normalisation', () => {
    expect(sameGeometry(spec(0.5, 0.25), spec(0.57, 0.17))).toBe(true);
    expect(sameGeometry(spec(0.5, 0.25), spec(0.5, 0.25, 64))).toBe(false);
  });
});
