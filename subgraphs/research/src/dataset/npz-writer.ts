import { zipSync, type Zippable } from 'fflate';

/** Zip entries get this fixed time so the same arrays always give the same bytes (and SHA-256). */
export const FIXED_ZIP_TIME = new Date('1980-01-01T00:00:00Z');

/**
 * One uint8 array as a .npy file (format 1.0, C order): magic, header length, a Python dict
 * literal padded with spaces to a multiple of 64 bytes and ended by a newline, then the data.
 */
export function npyUint8(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`shape ${JSON.stringify(shape)} needs ${count} bytes, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const preamble = 10;
  const headerLength = Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble;
  const header = `${dict.padEnd(headerLength - 1, ' ')}\n`;
  const out = new Uint8Array(preamble + headerLength + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY v1.0
  out[8] = headerLength & 0xff;
  out[9] = headerLength >> 8;
  out.set(new TextEncoder().encode(header), preamble);
  out.set(data, preamble + headerLength);
  return out;
}

/** A deterministic zip: stored (no compression, like numpy.savez) or deflated, fixed timestamps. */
export function deterministicZip(files: Record<string, Uint8Array>, level: 0 | 6 = 0): Uint8Array {
  const entries: Zippable = {};
  for (const name of Object.keys(files).sort()) entries[name] = [files[name]!, { level, mtime: FIXED_ZIP_TIME }];
  return zipSync(entries, { level, mtime: FIXED_ZIP_TIME });
}

/** `.npz` of uint8 arrays keyed by name (numpy.load gives `name` for `name.npy`). */
export function npzUint8(arrays: Record<string, { data: Uint8Array; shape: readonly number[] }>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, array] of Object.entries(arrays)) files[`${name}.npy`] = npyUint8(array.data, array.shape);
  return deterministicZip(files, 0);
}
