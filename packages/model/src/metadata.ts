import { z } from 'zod';

/**
 * The contract between research/ (which writes it into the ONNX file's metadata_props) and every
 * runtime that feeds the model: how to turn an image into the input tensor, where the triage
 * threshold is, and what the model scored on the test split.
 */
export const InputSpec = z.object({
  size: z.number().int().positive(),
  crop: z.literal('center-square'),
  resize: z.literal('triangle'),
  grayscale: z.literal(true),
  normalize: z.object({ mean: z.number(), std: z.number().positive() }),
  layout: z.literal('NCHW'),
});
export type InputSpec = z.infer<typeof InputSpec>;

const interval = z.tuple([z.number(), z.number()]);

export const ModelMetrics = z.object({
  split: z.string(),
  n: z.number().int().positive(),
  auc: z.number(),
  accuracy: z.number(),
  sensitivity: z.number(),
  specificity: z.number(),
  f1: z.number(),
  ece: z.number(),
  confusion: z.object({ tp: z.number().int(), fp: z.number().int(), tn: z.number().int(), fn: z.number().int() }),
  ci95: z.record(z.string(), interval),
});
export type ModelMetrics = z.infer<typeof ModelMetrics>;

export const ModelMetadata = z.object({
  version: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'version must be 1-64 of A-Z a-z 0-9 . _ -'),
  inputSpec: InputSpec,
  threshold: z.number().min(0).max(1),
  metrics: ModelMetrics,
  calibration: z.object({ method: z.string() }).passthrough().optional(),
  trainingDataSha256: z.string().regex(/^[a-f0-9]{64}$/).optional(),
  license: z.string().optional(),
});
export type ModelMetadata = z.infer<typeof ModelMetadata>;

export class ModelMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelMetadataError';
  }
}

/** Reads a protobuf varint at `pos`; returns [value, next position]. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new ModelMetadataError('truncated ONNX file');
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
    if (shift > 63) throw new ModelMetadataError('malformed varint in ONNX file');
  }
}

interface Field {
  number: number;
  wireType: number;
  start: number;
  end: number;
}

/** Top-level fields of a protobuf message, without decoding nested messages. */
export function protobufFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [key, afterKey] = readVarint(bytes, pos);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    let start = afterKey;
    let end: number;
    if (wireType === 0) [, end] = readVarint(bytes, afterKey);
    else if (wireType === 1) end = afterKey + 8;
    else if (wireType === 5) end = afterKey + 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, afterKey);
      start = afterLength;
      end = afterLength + length;
    } else throw new ModelMetadataError(`unsupported protobuf wire type ${wireType}`);
    if (end > bytes.length) throw new ModelMetadataError('truncated ONNX file');
    fields.push({ number, wireType, start, end });
    pos = end;
  }
  return fields;
}

const METADATA_PROPS_FIELD = 14; // ModelProto.metadata_props: repeated StringStringEntryProto

/**
 * The metadata_props of an ONNX ModelProto. onnxruntime-node does not expose custom metadata,
 * so the few bytes are read straight from the protobuf.
 */
export function readMetadataProps(onnx: Uint8Array): Record<string, string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const props: Record<string, string> = {};
  for (const field of protobufFields(onnx)) {
    if (field.number !== METADATA_PROPS_FIELD || field.wireType !== 2) continue;
    let key = '';
    let value = '';
    for (const entry of protobufFields(onnx.subarray(field.start, field.end))) {
      const text = decoder.decode(onnx.subarray(field.start + entry.start, field.start + entry.end));
      if (entry.number === 1) key = text;
      if (entry.number === 2) value = text;
    }
    props[key] = value;
  }
  return props;
}

function parseJson(key: string, text: string | undefined): unknown {
  if (text === undefined) throw new ModelMetadataError(`the model has no "${key}" metadata property`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelMetadataError(`metadata property "${key}" is not valid JSON`);
  }
}

/** Validates the metadata the research pipeline writes; throws ModelMetadataError naming every problem. */
export function parseModelMetadata(props: Record<string, string>): ModelMetadata {
  const candidate = {
    version: props.version,
    inputSpec: parseJson('input_spec', props.input_spec),
    threshold: parseJson('threshold', props.threshold),
    metrics: parseJson('metrics', props.metrics),
    calibration: props.calibration === undefined ? undefined : parseJson('calibration', props.calibration),
    trainingDataSha256: props.training_data_sha256,
    license: props.license,
  };
  const result = ModelMetadata.safeParse(candidate);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ModelMetadataError(`invalid model metadata:\n  - ${problems.join('\n  - ')}`);
  }
  return result.data;
}
