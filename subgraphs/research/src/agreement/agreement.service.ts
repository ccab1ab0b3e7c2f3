import type { EntityManager } from '@mikro-orm/postgresql';
import { rocAuc } from '@triage/model';
import type { AgreementBucket, AgreementPoint } from './agreement.type.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Start (UTC) of the bucket holding `at`; weeks start on Monday (ISO). */
export function bucketStart(at: Date, bucket: AgreementBucket): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (bucket === 'DAY') return new Date(day);
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

export interface AgreementSample {
  modelVersion: string;
  /** 1 = doctor found pneumonia, 0 = normal. */
  truth: 0 | 1;
  risk: number;
  predicted: 0 | 1;
  labeledAt: Date;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);
const finite = (value: number) => (Number.isFinite(value) ? value : null);

/** Agreement metrics of one group of samples. */
export function agreementOf(samples: readonly AgreementSample[]): Omit<AgreementPoint, 'modelVersion' | 'bucketStart'> {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const s of samples) {
    if (s.predicted === 1 && s.truth === 1) tp++;
    else if (s.predicted === 1) fp++;
    else if (s.truth === 1) fn++;
    else tn++;
  }
  const positives = tp + fn;
  const negatives = tn + fp;
  return {
    n: samples.length,
    positives,
    negatives,
    auc: finite(rocAuc(samples.map((s) => s.truth), samples.map((s) => s.risk))),
    sensitivity: ratio(tp, positives),
    specificity: ratio(tn, negatives),
    accuracy: ratio(tp + tn, samples.length),
  };
}

/** Groups samples by model version and (optionally) time bucket, ordered by version then time. */
export function agreementSeries(samples: readonly AgreementSample[], bucket: AgreementBucket | null): AgreementPoint[] {
  const groups = new Map<string, { modelVersion: string; bucketStart: Date | null; samples: AgreementSample[] }>();
  for (const sample of samples) {
    const start = bucket ? bucketStart(sample.labeledAt, bucket) : null;
    const key = `${sample.modelVersion}\u0000${start?.getTime() ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { modelVersion: sample.modelVersion, bucketStart: start, samples: [] };
      groups.set(key, group);
    }
    group.samples.push(sample);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        (a.modelVersion < b.modelVersion ? -1 : a.modelVersion > b.modelVersion ? 1 : 0) ||
        (a.bucketStart?.getTime() ?? 0) - (b.bucketStart?.getTime() ?? 0),
    )
    .map((group) => ({ modelVersion: group.modelVersion, bucketStart: group.bucketStart, ...agreementOf(group.samples) }));
}

/** Examples with both a finding (PNEUMONIA / NORMAL) and a model prediction. */
export async function loadAgreementSamples(em: EntityManager, modelVersion?: string | null): Promise<AgreementSample[]> {
  const query = em
    .getKnex()('labeled_example')
    .select('model_version', 'model_risk', 'model_label', 'finding', 'labeled_at')
    .whereNotNull('model_version')
    .whereNotNull('model_risk')
    .whereIn('finding', ['pneumonia', 'normal']);
  if (modelVersion) query.where('model_version', modelVersion);
  const rows = (await query) as {
    model_version: string;
    model_risk: number;
    model_label: string | null;
    finding: string;
    labeled_at: Date;
  }[];
  return rows.map((row) => ({
    modelVersion: row.model_version,
    truth: row.finding === 'pneumonia' ? 1 : 0,
    risk: Number(row.model_risk),
    predicted: row.model_label === 'pneumonia' ? 1 : 0,
    labeledAt: new Date(row.labeled_at),
  }));
}

export async function modelAgreement(
  em: EntityManager,
  args: { modelVersion?: string | null; bucket?: AgreementBucket | null },
): Promise<AgreementPoint[]> {
  return agreementSeries(await loadAgreementSamples(em, args.modelVersion), args.bucket ?? null);
}
