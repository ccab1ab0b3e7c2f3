import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGray, removeBurnedInText } from '../src/deidentify/burned-in-text.js';
import { createOcrEngine, PSM, type OcrEngine } from '../src/deidentify/ocr.js';
import type { PixelBox } from '../src/deidentify/pixel-fill.js';
import { strokeMask, type GrayImage } from '../src/deidentify/text-detection.js';
import { readSample, sampleJpegs } from './ingest-fixtures.js';

/**
 * The bar for burned-in text (issue "de-identification for the research center"), over the 24
 * sample X-rays (read in place from ../shared/data/xray-samples, never copied):
 *   - an OCR pass configured differently from the one the remover uses finds none of the name
 *     tokens, the patient id or the dates of the file name in the cleaned image;
 *   - the same pass does find them in the original images (so it can see this text at all);
 *   - outside the painted boxes the cleaned image equals the input: BOUND = 0 gray levels (the
 *     output is lossless PNG of the same decode), and the boxes cover little of the image.
 */
const BOUND = 0;
const MAX_BOX_AREA = 0.08;

/** `demo_<Name>_<PatientId>_<BirthDate>_<XrayDate>.jpeg` */
function secretsOf(file: string) {
  const match = /^demo_(.+)_([^_]+)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.jpeg$/.exec(path.basename(file));
  if (!match) throw new Error(`unexpected sample name ${path.basename(file)}`);
  const tokens = [...match[1]!.split(/[^A-Za-z0-9]+/), match[2]!].map((t) => t.toLowerCase()).filter((t) => t.length >= 3);
  const dates = [match[3]!, match[4]!].map((d) => d.replace(/-/g, ''));
  return { tokens, dates };
}

/** The secrets of a sample that appear in OCR text: alphanumeric tokens (case-insensitive), date digits per line. */
function secretsIn(text: string, secrets: ReturnType<typeof secretsOf>): string[] {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const lineDigits = text.split('\n').map((line) => line.replace(/[^0-9]/g, ''));
  return [
    ...secrets.tokens.filter((token) => words.some((word) => word.includes(token))),
    ...secrets.dates.filter((date) => lineDigits.some((digits) => digits.includes(date))),
  ];
}

describe('removeBurnedInText over the 24 sample X-rays', () => {
  let remover: OcrEngine;
  /** A second Tesseract worker with its own configuration: the verifier. */
  let verifier: OcrEngine;
  const files = sampleJpegs();
  let foundInOriginals = 0;
  let secretsTotal = 0;

  beforeAll(() => {
    remover = createOcrEngine();
    verifier = createOcrEngine();
  });
  afterAll(async () => {
    await remover?.stop();
    await verifier?.stop();
  });

  /**
   * Verification A: the image's thin-stroke layer with other parameters than the remover's (opening
   * radius 2 instead of 3, contrast 30 instead of 40), enlarged 3x instead of 2x, read as one
   * uniform block (PSM 6) instead of sparse text (PSM 11).
   */
  async function readTextLayer(image: GrayImage): Promise<string> {
    const mask = strokeMask(image.gray, image.width, image.height, { openingRadius: 2, minContrast: 30, minValue: 100 });
    const layer = new Uint8Array(mask.length).fill(255);
    for (let i = 0; i < mask.length; i++) if (mask[i]) layer[i] = 0;
    const png = await sharp(layer, { raw: { width: image.width, height: image.height, channels: 1 } })
      .resize({ width: image.width * 3, kernel: 'cubic' })
      .png({ compressionLevel: 1 })
      .toBuffer();
    return verifier.text(png, PSM.block);
  }

  /** Verification B: no text layer at all, the plain image enlarged 2x, sparse text. */
  async function readPlain(image: GrayImage): Promise<string> {
    const png = await sharp(image.gray, { raw: { width: image.width, height: image.height, channels: 1 } })
      .resize({ width: image.width * 2, kernel: 'lanczos3' })
      .png({ compressionLevel: 1 })
      .toBuffer();
    return verifier.text(png, PSM.sparse);
  }

  it('has the 24 samples', () => {
    expect(files).toHaveLength(24);
  });

  it.each(sampleJpegs().map((file) => [path.basename(path.dirname(file)) + '/' + path.basename(file).slice(0, 12), file]))(
    '%s: no name, id or date left; nothing changed outside the text boxes',
    async (_name, file) => {
      const secrets = secretsOf(file);
      const bytes = readSample(file);
      const input = await decodeGray(bytes);
      const result = await removeBurnedInText(bytes, remover);

      expect(result.boxes.length).toBeGreaterThan(0);
      expect([result.image.width, result.image.height]).toEqual([input.width, input.height]);
      const decoded = await decodeGray(result.png);
      expect(Buffer.from(decoded.gray).equals(Buffer.from(result.image.gray))).toBe(true);

      const inBox = boxMask(result.boxes, input.width, input.height);
      let maxOutside = 0;
      let boxPixels = 0;
      for (let i = 0; i < inBox.length; i++) {
        if (inBox[i]) boxPixels++;
        else maxOutside = Math.max(maxOutside, Math.abs(decoded.gray[i]! - input.gray[i]!));
      }
      expect(maxOutside).toBeLessThanOrEqual(BOUND);
      expect(boxPixels / inBox.length).toBeLessThan(MAX_BOX_AREA);

      const leakedA = secretsIn(await readTextLayer(decoded), secrets);
      const leakedB = secretsIn(await readPlain(decoded), secrets);
      expect({ leakedA, leakedB }).toEqual({ leakedA: [], leakedB: [] });

      secretsTotal += secrets.tokens.length + secrets.dates.length;
      foundInOriginals += secretsIn(await readTextLayer(input), secrets).length;
    },
    60_000,
  );

  it('the verifying OCR pass reads most of the burned-in text of the originals (it could have seen a leak)', () => {
    expect(secretsTotal).toBeGreaterThan(100);
    expect(foundInOriginals / secretsTotal).toBeGreaterThanOrEqual(0.8);
  });
});

function boxMask(boxes: readonly PixelBox[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const b of boxes) for (let y = b.top; y < b.top + b.height; y++) mask.fill(1, y * width + b.left, y * width + b.left + b.width);
  return mask;
}
