import { describe, expect, it } from 'vitest';
import { linearScale, linePath, niceMax, niceTicks, percent, seriesByVersion, timeDomain, timeTicks } from './chart-math';

describe('chart math', () => {
  it('scales linearly, also onto an inverted (SVG y) range', () => {
    const y = linearScale([0, 1], [200, 0]);
    expect([y(0), y(0.5), y(1)]).toEqual([200, 100, 0]);
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });

  it('picks round ticks and a round axis end', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 20, 4)).toEqual([0, 5, 10, 15, 20]);
    expect(niceTicks(0, 7, 5)).toEqual([0, 2, 4, 6]);
    expect(niceMax(7)).toBe(8);
    expect(niceMax(20)).toBe(20);
    expect(niceMax(0)).toBe(1);
  });

  it('draws lines with gaps where a value is unknown', () => {
    expect(linePath([{ x: 0, y: 10 }, { x: 5, y: 20 }, { x: 10, y: null }, { x: 15, y: 5 }, { x: 20, y: 6 }])).toBe('M0.0,10.0L5.0,20.0M15.0,5.0L20.0,6.0');
    expect(linePath([])).toBe('');
  });

  it('splits agreement rows into one time-ordered series per model version', () => {
    const rows = [
      { modelVersion: 'v2', bucketStart: '2026-03-05T00:00:00.000Z', auc: 0.9 },
      { modelVersion: 'v1', bucketStart: '2026-03-05T00:00:00.000Z', auc: null },
      { modelVersion: 'v1', bucketStart: '2026-03-04T00:00:00.000Z', auc: 0.8 },
      { modelVersion: 'v1', bucketStart: null, auc: 0.1 },
    ];
    expect(seriesByVersion(rows, (r) => r.auc)).toEqual([
      { name: 'v1', points: [{ at: '2026-03-04T00:00:00.000Z', value: 0.8 }, { at: '2026-03-05T00:00:00.000Z', value: null }] },
      { name: 'v2', points: [{ at: '2026-03-05T00:00:00.000Z', value: 0.9 }] },
    ]);
  });

  it('widens a single day and labels time ticks once each', () => {
    const day = Date.parse('2026-03-04T00:00:00.000Z');
    const domain = timeDomain([{ points: [{ at: '2026-03-04T00:00:00.000Z' }] }])!;
    expect(domain).toEqual([day - 86_400_000, day + 86_400_000]);
    expect(timeDomain([])).toBeNull();
    expect(timeTicks(domain, 3).map((t) => t.label)).toEqual(['3 Mar', '4 Mar', '5 Mar']);
    expect(timeTicks([day, day + 3_600_000], 5).map((t) => t.label)).toEqual(['4 Mar']);
  });

  it('formats shares as percentages', () => {
    expect(percent(0.834)).toBe('83%');
    expect(percent(0.834, 1)).toBe('83.4%');
    expect(percent(null)).toBe('–');
  });
});
