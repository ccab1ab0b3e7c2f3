import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/model.js';
import type { InputSpec } from '../src/metadata.js';
import { PreprocessPool, PreprocessThreadError } from '../src/preprocess-pool.js';
import { preprocess, UnsupportedImageError } from '../src/preprocess.js';
import { modelFiles, sampleFiles } from './helpers.js';

describe('PreprocessPool: the same preprocessing on worker threads', () => {
  let pool: PreprocessPool;
  let spec: InputSpec;
  let images: Uint8Array[];

  beforeAll(async () => {
    const model = await loadModel((await modelFiles()).path);
    spec = model.metadata.inputSpec;
    await model.release();
    images = await Promise.all((await sampleFiles()).map(async (f) => new Uint8Array(await readFile(f))));
    pool = new PreprocessPool(2);
  });
  afterAll(() => pool?.close());

  it('gives bit-identical tensors to in-process preprocess() for all 24 samples, run concurrently', async () => {
    const [threaded, inline] = await Promise.all([
      Promise.all(images.map((image) => pool.run(image, spec))),
      Promise.all(images.map((image) => preprocess(image, spec))),
    ]);
    expect(threaded).toHaveLength(24);
    for (let i = 0; i < images.length; i++) {
      expect(threaded[i]!.length).toBe(spec.size * spec.size);
      expect(Buffer.from(threaded[i]!.buffer).equals(Buffer.from(inline[i]!.buffer))).toBe(true);
    }
    expect(pool.inFlight).toBe(0);
  });

  it('reports an image it cannot read as the image\'s fault, and keeps serving', async () => {
    const corrupt = images[0]!.slice(0, 2000);
    await expect(pool.run(corrupt, spec)).rejects.toThrow(/./);
    await expect(pool.run(corrupt, spec)).rejects.not.toBeInstanceOf(PreprocessThreadError);
    const sixteenBit = await sharp(Buffer.alloc(8 * 8 * 2, 0x7f), { raw: { width: 8, height: 8, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    await expect(pool.run(new Uint8Array(sixteenBit), spec)).rejects.toBeInstanceOf(UnsupportedImageError);
    const again = await pool.run(images[1]!, spec);
    expect(Buffer.from(again.buffer).equals(Buffer.from((await preprocess(images[1]!, spec)).buffer))).toBe(true);
  });

  it('refuses work once closed', async () => {
    const closing = new PreprocessPool(1);
    await closing.close();
    await expect(closing.run(images[0]!, spec)).rejects.toBeInstanceOf(PreprocessThreadError);
  });
});
