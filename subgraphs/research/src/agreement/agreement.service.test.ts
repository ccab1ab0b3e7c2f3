import { describe, expect, it } from 'vitest';
import { agreementOf, agreementSeries, bucketStart, type AgreementSample } from './agreement.service.js';

const at = (iso: string) => new Date(iso);
const sample = (truth: 0 | 1, risk: number, labeledAt = '2026-03-04T10:00:00Z', modelVersion = 'v1'): AgreementSample => ({
  modelVersion,
  truth,
  risk,
  predicted: risk >= 0.5 ? 1 : 0,
  labeledAt: at(labeledAt),
});

describe('bucketStart', () => {
  it('truncates to the UTC day and to Monday for weeks', () => {
    expect(bucketStart(at('2026-03-04T23:59:59.999Z'), 'DAY').toISOString()).toBe('2026-03-04T00:00:00.000Z');
    // 2026-03-04 is a Wednesday; 2026-03-08 a Sunday; 2026-03-09 a Monday.
    expect(bucketStart(at('2026-03-04T10:00:00Z'), 'WEEK').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(bucketStart(at('2026-03-08T10:00:00Z'), 'WEEK').toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(bucketStart(at('2026-03-09T00:00:00Z'), 'WEEK').toISOString()).toBe('2026-03-09T00:00:00.000Z');
  });
});

describe('agreementOf', () => {
  it('computes AUC from risks and sensitivity / specificity from labels', () => {
    // positives 0.9, 0.6, 0.4; negatives 0.7, 0.2, 0.1
    const samples = [sample(1, 0.9), sample(1, 0.6), sample(1, 0.4), sample(0, 0.7), sample(0, 0.2), sample(0, 0.1)];
    const result = agreementOf(samples);
    // pairs (pos > neg): 0.9 beats 3, 0.6 beats 2, 0.4 beats 2 = 7 of 9
    expect(result.auc).toBeCloseTo(7 / 9, 10);
    expect(result.sensitivity).toBeCloseTo(2 / 3, 10);
    expect(result.specificity).toBeCloseTo(2 / 3, 10);
    expect(result).toMatchObject({ n: 6, positives: 3, negatives: 3 });
  });

  it('gives null instead of NaN when a class is missing', () => {
    const result = agreementOf([sample(1, 0.9), sample(1, 0.3)]);
    expect(result).toMatchObject({ auc: null, sensitivity: 0.5, specificity: null, accuracy: 0.5 });
  });
});

describe('agreementSeries', () => {
  it('groups by version and bucket, in order', () => {
    const series = agreementSeries(
      [sample(1, 0.9, '2026-03-05T00:00:00Z', 'v2'), sample(1, 0.9, '2026-03-04T00:00:00Z'), sample(0, 0.1, '2026-03-03T00:00:00Z')],
      'DAY',
    );
    expect(series.map((p) => [p.modelVersion, p.bucketStart?.toISOString().slice(0, 10), p.n])).toEqual([
      ['v1', '2026-03-03', 1],
      ['v1', '2026-03-04', 1],
      ['v2', '2026-03-05', 1],
    ]);
    expect(agreementSeries([sample(1, 0.9), sample(0, 0.1, '2026-01-01T00:00:00Z')], null)).toEqual([
      expect.objectContaining({ modelVersion: 'v1', bucketStart: null, n: 2, auc: 1 }),
    ]);
  });
});
