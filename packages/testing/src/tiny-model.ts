import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian's PyTorch/ONNX live; the `python3` first on PATH may be another interpreter. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/make_tiny_model.py');

/**
 * A tiny but real ONNX model with the platform's input/output names and metadata
 * (risk = sigmoid(scale * (mean(image) - offset))), made with the `onnx` Python package. Its input
 * spec normalises pixels with `normalize` (mean 0.5, std 0.25 unless given).
 */
export function tinyModel(version: string, scale = 4, offset = 0, normalize = { mean: 0.5, std: 0.25 }): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-model-'));
  try {
    const file = path.join(dir, `${version}.onnx`);
    execFileSync(SYSTEM_PYTHON, [SCRIPT, file, version, String(scale), String(offset), String(normalize.mean), String(normalize.std)]);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
