import type { ModelMetrics } from './metadata.js';
import type { LoadedModel } from './model.js';
import { pointMetrics, type PointMetrics } from './metrics.js';
import { medmnistSplit, readNpz } from './npz.js';
import { predict, type Prediction } from './predict.js';
import { normalizePixels } from './preprocess.js';

export interface Evaluation {
  version: string;
  threshold: number;
  metrics: PointMetrics;
  predictions: Prediction[];
}

/**
 * Metrics of the model over preprocessed inputs, at the model's own triage threshold, computed
 * exactly as the research pipeline computes them for the model card.
 */
export async function evaluate(model: LoadedModel, images: Float32Array[], labels: ArrayLike<number>): Promise<Evaluation> {
  if (images.length !== labels.length) throw new Error(`${images.length} images but ${labels.length} labels`);
  const predictions = await predict(model, images);
  const threshold = model.metadata.threshold;
  const metrics = pointMetrics(
    labels,
    predictions.map((p) => p.logit),
    predictions.map((p) => p.risk),
    threshold,
  );
  return { version: model.metadata.version, threshold, metrics, predictions };
}

/** Evaluates on a split of a MedMNIST-format .npz (28x28 uint8 images: only normalisation applies). */
export async function evaluateNpz(model: LoadedModel, npzPath: string, split: 'train' | 'val' | 'test' = 'test'): Promise<Evaluation> {
  const data = medmnistSplit(await readNpz(npzPath), split);
  if (data.size !== model.metadata.inputSpec.size) {
    throw new Error(`the .npz images are ${data.size}x${data.size}, the model takes ${model.metadata.inputSpec.size}`);
  }
  const inputs = data.images.map((pixels) => normalizePixels(pixels, model.metadata.inputSpec));
  return evaluate(model, inputs, data.labels);
}

const CARD_METRICS = ['auc', 'accuracy', 'sensitivity', 'specificity', 'f1', 'ece'] as const;

/**
 * How measured metrics differ from the ones the model card (and the ONNX metadata) states: each
 * figure within `tolerance`, the confusion matrix identical. Empty when they agree.
 */
export function differencesFromCard(measured: PointMetrics, card: ModelMetrics, tolerance = 1e-6): string[] {
  const problems: string[] = CARD_METRICS.filter((k) => !(Math.abs(measured[k] - card[k]) <= tolerance)).map(
    (k) => `${k}: measured ${measured[k]}, card ${card[k]}`,
  );
  if (measured.n !== card.n) problems.push(`n: measured ${measured.n}, card ${card.n}`);
  const c = measured.confusion;
  const d = card.confusion;
  if (c.tp !== d.tp || c.fp !== d.fp || c.tn !== d.tn || c.fn !== d.fn) {
    problems.push(`confusion: measured ${JSON.stringify(c)}, card ${JSON.stringify(d)}`);
  }
  return problems;
}
