import { medmnistSplit, parseNpy, readNpz } from '@triage/model';
import { describe, expect, it } from 'vitest';
import { npyUint8, npzUint8 } from './npz-writer.js';

describe('npyUint8', () => {
  it('writes a header numpy and @triage/model can read, aligned to 64 bytes', () => {
    const bytes = npyUint8(Uint8Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes[10 + headerLength - 1]).toBe(0x0a);
    const parsed = parseNpy(bytes);
    expect(parsed).toMatchObject({ dtype: '|u1', shape: [2, 3] });
    expect([...parsed.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseNpy(npyUint8(new Uint8Array(0), [0, 28, 28])).shape).toEqual([0, 28, 28]);
    expect(parseNpy(npyUint8(Uint8Array.from([7]), [1])).shape).toEqual([1]);
  });

  it('refuses data that does not fit the shape', () => {
    expect(() => npyUint8(new Uint8Array(5), [2, 3])).toThrow('needs 6 bytes');
  });
});

describe('npzUint8', () => {
  it('round-trips a MedMNIST split and is byte-for-byte deterministic', async () => {
    const images = new Uint8Array(2 * 4 * 4).map((_, i) => i);
    const arrays = { train_images: { data: images, shape: [2, 4, 4] }, train_labels: { data: Uint8Array.from([1, 0]), shape: [2, 1] } };
    const npz = npzUint8(arrays);
    const split = medmnistSplit(await readNpz(npz), 'train');
    expect(split.size).toBe(4);
    expect([...split.labels]).toEqual([1, 0]);
    expect([...split.images[1]!]).toEqual([...images.subarray(16)]);
    expect(Buffer.from(npzUint8(arrays)).equals(Buffer.from(npz))).toBe(true);
  });
});
