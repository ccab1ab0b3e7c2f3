import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { medmnistSplit, parseNpy, readNpz } from '../src/npz.js';
import { NPZ } from './helpers.js';

function npy(descr: string, shape: number[], data: ArrayBufferView, version = 1): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pre = version === 1 ? 10 : 12;
  header += ' '.repeat(63 - ((pre + header.length) % 64)) + '\n';
  const out = new Uint8Array(pre + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
  return out;
}

describe('readNpz', () => {
  it('reads PneumoniaMNIST with its official splits', async () => {
    const arrays = await readNpz(NPZ);
    expect(arrays.train_images!.shape).toEqual([4708, 28, 28]);
    expect(arrays.val_images!.shape).toEqual([524, 28, 28]);
    const test = medmnistSplit(arrays, 'test');
    expect(test.images).toHaveLength(624);
    expect(test.size).toBe(28);
    expect(test.labels.reduce((a, b) => a + b, 0)).toBe(390);
  });

  it('parses float, int and version-2 headers from stored and deflated zips', async () => {
    const floats = new Float32Array([1.5, -2, 3.25, 0]);
    const ints = new Int32Array([7, -8]);
    const zip = zipSync({ 'a.npy': [npy('<f4', [2, 2], floats), { level: 0 }], 'b.npy': [npy('<i4', [2], ints, 2), { level: 6 }] });
    const arrays = await readNpz(zip);
    expect(arrays.a).toMatchObject({ dtype: '<f4', shape: [2, 2] });
    expect(Array.from(arrays.a!.data as Float32Array)).toEqual([1.5, -2, 3.25, 0]);
    expect(Array.from(arrays.b!.data as Int32Array)).toEqual([7, -8]);
  });

  it('refuses what it cannot read', () => {
    expect(() => parseNpy(new Uint8Array(20))).toThrow(/not a .npy/);
    expect(() => parseNpy(npy('>f8', [1], new Float64Array(1)))).toThrow(/unsupported dtype/);
    expect(() => parseNpy(npy('<f4', [4], new Float32Array(2)))).toThrow(/truncated/);
    expect(() => medmnistSplit({}, 'test')).toThrow(/test_images/);
  });
});
