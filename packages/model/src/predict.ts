import * as ort from 'onnxruntime-node';
import { INPUT_NAME, type LoadedModel } from './model.js';

export type PredictedLabel = 'pneumonia' | 'normal';

export interface Prediction {
  /** P(pneumonia), calibrated on validation, in [0, 1]. */
  risk: number;
  /** log-odds of the risk (what AUC is computed on: it does not saturate). */
  logit: number;
  /** At the model's triage threshold: pneumonia when risk >= threshold. */
  label: PredictedLabel;
}

export interface PredictOptions {
  /** Inputs per inference call (micro-batch). */
  batchSize?: number;
}

export function labelAt(risk: number, threshold: number): PredictedLabel {
  return risk >= threshold ? 'pneumonia' : 'normal';
}

/** Runs preprocessed inputs (each 1 x size x size, normalised) through the model in micro-batches. */
export async function predict(model: LoadedModel, tensors: Float32Array[], options: PredictOptions = {}): Promise<Prediction[]> {
  const size = model.metadata.inputSpec.size;
  const perImage = size * size;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const out: Prediction[] = [];
  for (let start = 0; start < tensors.length; start += batchSize) {
    const batch = tensors.slice(start, start + batchSize);
    const input = new Float32Array(batch.length * perImage);
    batch.forEach((tensor, i) => {
      if (tensor.length !== perImage) throw new Error(`input ${start + i} has ${tensor.length} values, expected ${perImage}`);
      input.set(tensor, i * perImage);
    });
    const feeds = { [INPUT_NAME]: new ort.Tensor('float32', input, [batch.length, 1, size, size]) };
    const result = await model.session.run(feeds);
    const risks = result.risk!.data as Float32Array;
    const logits = result.logit!.data as Float32Array;
    for (let i = 0; i < batch.length; i++) {
      const risk = risks[i]!;
      out.push({ risk, logit: logits[i]!, label: labelAt(risk, model.metadata.threshold) });
    }
    for (const tensor of Object.values(result)) tensor.dispose();
  }
  return out;
}
