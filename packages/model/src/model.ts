import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { parseModelMetadata, readMetadataProps, type ModelMetadata } from './metadata.js';

export const INPUT_NAME = 'image';
export const OUTPUT_NAMES = ['logit', 'risk'] as const;

export interface LoadedModel {
  session: ort.InferenceSession;
  metadata: ModelMetadata;
  /** SHA-256 of the ONNX bytes: what the registry records as `sha256`. */
  sha256: string;
  bytes: Uint8Array;
  release(): Promise<void>;
}

export interface LoadModelOptions {
  /** Threads for one inference call; default min(2, cores): the worker shares a 2-core CPU. */
  intraOpNumThreads?: number;
}

/**
 * Session options for a small CNN on a small CPU: all graph optimisations, operators run one after
 * another (parallel execution only pays off for wide graphs), threads inside each operator.
 */
export function sessionOptions(options: LoadModelOptions = {}): ort.InferenceSession.SessionOptions {
  const threads = options.intraOpNumThreads ?? Math.max(1, Math.min(2, os.availableParallelism()));
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
  };
}

/** Loads an ONNX model from bytes or a path, validates its metadata and its input/output names. */
export async function loadModel(source: Uint8Array | string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
  const metadata = parseModelMetadata(readMetadataProps(bytes));
  const session = await ort.InferenceSession.create(bytes, sessionOptions(options));
  const missing = [
    ...(session.inputNames.includes(INPUT_NAME) ? [] : [`input "${INPUT_NAME}"`]),
    ...OUTPUT_NAMES.filter((name) => !session.outputNames.includes(name)).map((name) => `output "${name}"`),
  ];
  if (missing.length > 0) {
    await session.release();
    throw new Error(`the model lacks ${missing.join(', ')}`);
  }
  return {
    session,
    metadata,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
    release: () => session.release(),
  };
}
