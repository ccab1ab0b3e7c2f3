import { loadModel, ModelMetadataError, OUTPUT_NAMES, type ModelMetadata } from '@triage/model';
import * as ort from 'onnxruntime-node';
import { HttpError } from '../common/http.js';

/** Reads a protobuf varint at `pos`; returns [value, next position] or null when malformed. */
function varint(bytes: Uint8Array, pos: number): [number, number] | null {
  let value = 0;
  for (let shift = 0; shift <= 63; shift += 7) {
    if (pos >= bytes.length) return null;
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
  }
  return null;
}

/**
 * Whether the bytes parse as an ONNX ModelProto at the top level: well-formed protobuf fields
 * covering the whole file, with an `ir_version` (1, varint) and a `graph` (7, bytes). Cheap, and
 * it turns "not a model at all" into a clear answer before onnxruntime sees the bytes.
 */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  let pos = 0;
  let irVersion = false;
  let graph = false;
  while (pos < bytes.length) {
    const key = varint(bytes, pos);
    if (!key) return false;
    const [tag, afterKey] = key;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) return false;
    let end: number;
    if (wire === 0) {
      const value = varint(bytes, afterKey);
      if (!value) return false;
      end = value[1];
    } else if (wire === 1) end = afterKey + 8;
    else if (wire === 5) end = afterKey + 4;
    else if (wire === 2) {
      const length = varint(bytes, afterKey);
      if (!length) return false;
      end = length[1] + length[0];
    } else return false;
    if (end > bytes.length) return false;
    if (field === 1 && wire === 0) irVersion = true;
    if (field === 7 && wire === 2) graph = true;
    pos = end;
  }
  return irVersion && graph;
}

export interface ValidatedModel {
  metadata: ModelMetadata;
  sha256: string;
}

const clip = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

/**
 * A model is accepted only if the inference worker could run it: an ONNX file whose metadata
 * (version, input spec, threshold, metrics) parses, that onnxruntime-node loads with the platform's
 * input and output names, and that turns one blank image of the spec's size into a risk in [0, 1].
 */
export async function validateModel(bytes: Uint8Array): Promise<ValidatedModel> {
  if (bytes.length === 0) throw new HttpError(400, 'NOT_AN_ONNX_MODEL', 'the body is empty; send the ONNX file as the request body');
  if (!looksLikeOnnx(bytes)) {
    throw new HttpError(400, 'NOT_AN_ONNX_MODEL', 'the body is not an ONNX model (expected the bytes of an ONNX ModelProto file)');
  }
  let model: Awaited<ReturnType<typeof loadModel>>;
  try {
    model = await loadModel(bytes, { intraOpNumThreads: 1 });
  } catch (error) {
    if (error instanceof ModelMetadataError) throw new HttpError(400, 'INVALID_MODEL', `the model card metadata is invalid: ${clip(error.message)}`);
    throw new HttpError(400, 'INVALID_MODEL', `onnxruntime cannot load the model: ${clip((error as Error).message)}`);
  }
  try {
    const { size } = model.metadata.inputSpec;
    const input = new ort.Tensor('float32', new Float32Array(size * size), [1, 1, size, size]);
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await model.session.run({ [model.session.inputNames[0]!]: input });
    } catch (error) {
      throw new HttpError(400, 'INVALID_MODEL', `the model does not run on a 1x1x${size}x${size} input (its input spec): ${clip((error as Error).message)}`);
    }
    const risk = outputs[OUTPUT_NAMES[1]] as ort.Tensor | undefined;
    const value = risk?.data[0];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new HttpError(400, 'INVALID_MODEL', 'the model\'s "risk" output is not a probability in [0, 1]');
    }
    return { metadata: model.metadata, sha256: model.sha256 };
  } finally {
    await model.release();
  }
}
