import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';

/** One array of a .npz file: C-order data as a typed array plus its shape. */
export interface NpyArray {
  dtype: string;
  shape: number[];
  data: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array;
}

const TYPED: Record<string, { bytes: number; make: (buffer: ArrayBuffer) => NpyArray['data'] }> = {
  '|u1': { bytes: 1, make: (b) => new Uint8Array(b) },
  '|b1': { bytes: 1, make: (b) => new Uint8Array(b) },
  '|i1': { bytes: 1, make: (b) => new Int8Array(b) },
  '<u2': { bytes: 2, make: (b) => new Uint16Array(b) },
  '<i2': { bytes: 2, make: (b) => new Int16Array(b) },
  '<u4': { bytes: 4, make: (b) => new Uint32Array(b) },
  '<i4': { bytes: 4, make: (b) => new Int32Array(b) },
  '<f4': { bytes: 4, make: (b) => new Float32Array(b) },
  '<f8': { bytes: 8, make: (b) => new Float64Array(b) },
  '<i8': { bytes: 8, make: (b) => new BigInt64Array(b) },
};

/** Parses one .npy file (format versions 1-3, little-endian, C order). */
export function parseNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new Error(`${name}: not a .npy array`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${name}: unreadable .npy header ${header}`);
  if (fortran === 'True') throw new Error(`${name}: Fortran-ordered arrays are not supported`);
  const type = TYPED[descr];
  if (!type) throw new Error(`${name}: unsupported dtype ${descr}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  const end = start + count * type.bytes;
  if (end > bytes.length) throw new Error(`${name}: truncated (${bytes.length - start} of ${count * type.bytes} data bytes)`);
  // Copy so the typed array is aligned and independent of the zip buffer.
  const buffer = bytes.slice(start, end).buffer;
  return { dtype: descr, shape, data: type.make(buffer) };
}

/** Reads a .npz (zip of .npy files, stored or deflated) into arrays keyed without the .npy suffix. */
export async function readNpz(source: string | Uint8Array): Promise<Record<string, NpyArray>> {
  const bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
  const files = unzipSync(bytes);
  const out: Record<string, NpyArray> = {};
  for (const [file, content] of Object.entries(files)) {
    if (!file.endsWith('.npy')) continue;
    const key = file.slice(0, -4);
    out[key] = parseNpy(content, key);
  }
  return out;
}

export interface ImageSplit {
  /** n images of size x size uint8 pixels. */
  images: Uint8Array[];
  /** 1 = pneumonia, 0 = normal. */
  labels: Uint8Array;
  size: number;
}

/** A MedMNIST split (`<split>_images` (N, H, W) uint8, `<split>_labels` (N, 1)) as per-image arrays. */
export function medmnistSplit(arrays: Record<string, NpyArray>, split: 'train' | 'val' | 'test'): ImageSplit {
  const images = arrays[`${split}_images`];
  const labels = arrays[`${split}_labels`];
  if (!images || !labels) throw new Error(`the .npz has no ${split}_images / ${split}_labels`);
  if (images.dtype !== '|u1' || images.shape.length !== 3 || images.shape[1] !== images.shape[2]) {
    throw new Error(`${split}_images must be (N, S, S) uint8, got ${images.dtype} ${JSON.stringify(images.shape)}`);
  }
  const [n, size] = images.shape as [number, number, number];
  const pixels = images.data as Uint8Array;
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(pixels.subarray(i * size * size, (i + 1) * size * size));
  const labelValues = Uint8Array.from(labels.data as ArrayLike<number>, Number);
  if (labelValues.length !== n) throw new Error(`${split}: ${n} images but ${labelValues.length} labels`);
  if (labelValues.some((v) => v !== 0 && v !== 1)) throw new Error(`${split}_labels must be 0 or 1`);
  return { images: out, labels: labelValues, size };
}
