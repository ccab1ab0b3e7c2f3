import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { COMMITTED_MODELS_DIR, committedModel } from '../src/committed.js';
import { DEFAULT_NPZ } from '../src/env.js';

const run = promisify(execFile);
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESEARCH_DIR = path.resolve(PACKAGE_DIR, '../../research');
export const NPZ = process.env.TRIAGE_DATA_NPZ ?? DEFAULT_NPZ;
export const SAMPLES_DIR = path.resolve(path.dirname(NPZ), 'xray-samples');
/** The model under test: the committed one (TEST_MODELS_DIR points elsewhere while developing). */
export const MODELS_DIR = process.env.TEST_MODELS_DIR ?? COMMITTED_MODELS_DIR;

export async function modelFiles() {
  const committed = await committedModel(MODELS_DIR);
  const base = committed.path.replace(/\.onnx$/, '');
  return { ...committed, checkpoint: `${base}.pt`, report: `${base}.report.json` };
}

export async function sampleFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const label of ['NORMAL', 'PNEUMONIA']) {
    for (const name of (await readdir(path.join(SAMPLES_DIR, label))).sort()) out.push(path.join(SAMPLES_DIR, label, name));
  }
  return out;
}

/** Runs the research package (`python -m triage_research ...`) with /usr/bin/python3; returns parsed --out JSON. */
export async function python<T>(args: string[]): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'triage-model-'));
  const out = path.join(dir, 'out.json');
  try {
    await run('/usr/bin/python3', ['-m', 'triage_research', ...args, '--out', out], {
      cwd: RESEARCH_DIR,
      env: { ...process.env, PYTHONPATH: RESEARCH_DIR, TRIAGE_DATA_NPZ: NPZ },
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(await readFile(out, 'utf8')) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Appends a metadata_props entry to an ONNX file (protobuf: a repeated field may follow anywhere). */
export function withMetadataProp(onnx: Uint8Array, key: string, value: string): Uint8Array {
  const text = new TextEncoder();
  const field = (number: number, payload: Uint8Array) => [...varint(number * 8 + 2), ...varint(payload.length), ...payload];
  const entry = Uint8Array.from([...field(1, text.encode(key)), ...field(2, text.encode(value))]);
  const tail = Uint8Array.from(field(14, entry));
  const out = new Uint8Array(onnx.length + tail.length);
  out.set(onnx);
  out.set(tail, onnx.length);
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
