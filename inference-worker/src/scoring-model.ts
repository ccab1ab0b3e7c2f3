import type { InputSpec } from '@triage/model';

/** What the worker needs of a model: its identity, its own preprocessing, and batched scoring. */
export interface ScoringModel {
  version: string;
  threshold: number;
  /** What its input tensor is (size, crop, resize, normalisation). */
  inputSpec: InputSpec;
  /** Identifies the input spec: models with equal keys accept each other's tensors as they are. */
  inputSpecKey: string;
  /**
   * Image bytes -> the model's input tensor, exactly as the model's metadata specifies. Takes the bytes
   * over: their buffer may be detached (moved to a preprocessing thread) once this is called.
   */
  preprocess(image: Uint8Array): Promise<Float32Array>;
  /** Risk of pneumonia in [0, 1] for each input, in order. */
  score(inputs: Float32Array[]): Promise<number[]>;
  release?(): Promise<void>;
}

export type ModelLoader = (onnx: Uint8Array) => Promise<ScoringModel>;
