import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readSample, sampleJpegs } from '../../test/ingest-fixtures.js';
import { jpegStructureProblem, pngStructureProblem } from './image-structure.js';

const samples = sampleJpegs().map((file) => Buffer.from(readSample(file)));

describe('JPEG structure', () => {
  it('accepts every sample X-ray, baseline and progressive', async () => {
    expect(samples.length).toBeGreaterThan(0);
    for (const jpeg of samples) expect(jpegStructureProblem(jpeg)).toBeNull();
    const progressive = await sharp(samples[0]!).jpeg({ progressive: true, quality: 80 }).toBuffer();
    expect(jpegStructureProblem(progressive)).toBeNull();
  });

  it('refuses a JPEG cut anywhere, and one whose segments are garbled', () => {
    const jpeg = samples[2]!;
    for (const fraction of [0.001, 0.01, 0.1, 0.5, 0.9, 0.999]) {
      expect(jpegStructureProblem(jpeg.subarray(0, Math.floor(jpeg.length * fraction))), `cut at ${fraction}`).toMatch(/truncated|ends/);
    }
    expect(jpegStructureProblem(jpeg.subarray(0, jpeg.length - 2))).toMatch(/truncated/);
    const garbled = Buffer.from(jpeg);
    garbled[2] = 0x12; // the first marker after SOI
    expect(jpegStructureProblem(garbled)).toMatch(/expected a marker/);
    const noScan = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xd9])]);
    expect(jpegStructureProblem(noScan)).toMatch(/no frame header|no image data/);
    expect(jpegStructureProblem(Buffer.from('not a jpeg at all'))).toMatch(/start-of-image/);
  });
});

describe('PNG structure', () => {
  it('accepts a whole PNG and refuses a cut, a damaged chunk and a missing end', async () => {
    const png = await sharp(samples[0]!).resize(256).png().toBuffer();
    expect(pngStructureProblem(png)).toBeNull();
    for (const fraction of [0.01, 0.5, 0.99]) {
      expect(pngStructureProblem(png.subarray(0, Math.floor(png.length * fraction))), `cut at ${fraction}`).toMatch(/truncated/);
    }
    const damaged = Buffer.from(png);
    const middle = Math.floor(png.length / 2);
    damaged[middle] = damaged[middle]! ^ 0x40;
    expect(pngStructureProblem(damaged)).toMatch(/fails its checksum/);
    expect(pngStructureProblem(png.subarray(0, png.length - 12))).toMatch(/before its IEND/);
  });
});
