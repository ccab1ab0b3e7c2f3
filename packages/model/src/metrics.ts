/**
 * The metrics of research/triage_research/metrics.py, same conventions:
 * positive when risk >= threshold; AUC = Mann-Whitney with average ranks for ties, on the logit;
 * ECE over 15 equal-width bins of the risk, bin = min(floor(risk * 15), 14).
 */

export const ECE_BINS = 15;

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface PointMetrics {
  n: number;
  auc: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
  precision: number;
  f1: number;
  ece: number;
  confusion: Confusion;
}

type Numbers = ArrayLike<number>;

function checkLabels(labels: Numbers, scores: Numbers): void {
  if (labels.length !== scores.length) throw new Error(`${labels.length} labels but ${scores.length} scores`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error('labels must be 0 or 1');
  }
}

export function rocAuc(labels: Numbers, scores: Numbers): number {
  checkLabels(labels, scores);
  const n = labels.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i]!;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let rankSum = 0;
  for (let k = 0; k < n; k++) if (labels[k] === 1) rankSum += ranks[k]!;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function confusionAt(labels: Numbers, risks: Numbers, threshold: number): Confusion {
  checkLabels(labels, risks);
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const positive = risks[i]! >= threshold;
    if (positive && labels[i] === 1) c.tp++;
    else if (positive) c.fp++;
    else if (labels[i] === 1) c.fn++;
    else c.tn++;
  }
  return c;
}

export function expectedCalibrationError(labels: Numbers, risks: Numbers, bins = ECE_BINS): number {
  checkLabels(labels, risks);
  const count = new Float64Array(bins);
  const labelSum = new Float64Array(bins);
  const riskSum = new Float64Array(bins);
  const binOf = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) binOf[i] = Math.min(Math.floor(risks[i]! * bins), bins - 1);
  for (let i = 0; i < labels.length; i++) {
    const b = binOf[i]!;
    count[b] = count[b]! + 1;
    labelSum[b] = labelSum[b]! + labels[i]!;
    riskSum[b] = riskSum[b]! + risks[i]!;
  }
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    if (c === 0) continue;
    total += (c / labels.length) * Math.abs(labelSum[b]! / c - riskSum[b]! / c);
  }
  return total;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : Number.NaN);

export function pointMetrics(labels: Numbers, logits: Numbers, risks: Numbers, threshold: number): PointMetrics {
  const c = confusionAt(labels, risks, threshold);
  const n = c.tp + c.fp + c.tn + c.fn;
  return {
    n,
    auc: rocAuc(labels, logits),
    accuracy: (c.tp + c.tn) / n,
    sensitivity: ratio(c.tp, c.tp + c.fn),
    specificity: ratio(c.tn, c.tn + c.fp),
    precision: ratio(c.tp, c.tp + c.fp),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    ece: expectedCalibrationError(labels, risks),
    confusion: c,
  };
}
