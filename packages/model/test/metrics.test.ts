import { describe, expect, it } from 'vitest';
import { confusionAt, expectedCalibrationError, pointMetrics, rocAuc } from '../src/metrics.js';

// Same known values as research/tests/test_metrics.py.
describe('metrics', () => {
  it('AUC with ties counts half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0, 1], [0.3, 0.3])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
  });

  it('AUC equals the pairwise definition on random scores with many ties', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const y = Array.from({ length: 300 }, () => (rand() < 0.4 ? 1 : 0));
    const s = y.map((l) => Math.round((rand() + l * 0.5) * 10) / 10);
    let wins = 0;
    let pairs = 0;
    y.forEach((a, i) => y.forEach((b, j) => {
      if (a === 1 && b === 0) {
        pairs++;
        wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }));
    expect(rocAuc(y, s)).toBeCloseTo(wins / pairs, 12);
  });

  it('confusion matrix and point metrics', () => {
    const y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const p = [0.9, 0.8, 0.6, 0.2, 0.7, 0.4, 0.3, 0.2, 0.1, 0.05];
    expect(confusionAt(y, p, 0.5)).toEqual({ tp: 3, fn: 1, fp: 1, tn: 5 });
    expect(confusionAt(y, p, 0.6).tp).toBe(3);
    const m = pointMetrics(y, p.map((v) => Math.log(v / (1 - v))), p, 0.5);
    expect(m.accuracy).toBeCloseTo(0.8, 12);
    expect(m.sensitivity).toBeCloseTo(0.75, 12);
    expect(m.specificity).toBeCloseTo(5 / 6, 12);
    expect(m.f1).toBeCloseTo(0.75, 12);
  });

  it('ECE', () => {
    expect(expectedCalibrationError([1, 1, 1, 1, 0], [0.8, 0.8, 0.8, 0.8, 0.8])).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([1, 0, 0, 0], [0.9, 0.9, 0.1, 0.1])).toBeCloseTo(0.25, 12);
    expect(expectedCalibrationError([1, 1], [1, 1])).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0, 0], [1, 1])).toBeCloseTo(1, 12);
  });

  it('rejects labels other than 0/1', () => {
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow();
  });
});
