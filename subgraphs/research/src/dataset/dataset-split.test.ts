import { describe, expect, it } from 'vitest';
import { datasetContentHash, splitOf } from './dataset-split.js';

describe('splitOf', () => {
  it('is deterministic and close to 80 / 10 / 10', () => {
    const counts = { train: 0, val: 0, test: 0 };
    for (let i = 0; i < 10_000; i++) counts[splitOf('h1', `p${i}`)]++;
    expect(counts.train / 10_000).toBeCloseTo(0.8, 1);
    expect(counts.val / 10_000).toBeCloseTo(0.1, 1);
    expect(counts.test / 10_000).toBeCloseTo(0.1, 1);
    expect(splitOf('h1', 'p42')).toBe(splitOf('h1', 'p42'));
  });
});

describe('datasetContentHash', () => {
  const a = { exampleId: 'a', imageSha256: '1'.repeat(64), label: 1 };
  const b = { exampleId: 'b', imageSha256: '2'.repeat(64), label: 0 };
  it('ignores order and changes with any id, image or label', () => {
    expect(datasetContentHash([a, b])).toBe(datasetContentHash([b, a]));
    expect(datasetContentHash([a, b])).not.toBe(datasetContentHash([a, { ...b, label: 1 }]));
    expect(datasetContentHash([a, b])).not.toBe(datasetContentHash([a, { ...b, imageSha256: '3'.repeat(64) }]));
    expect(datasetContentHash([a, b])).not.toBe(datasetContentHash([a]));
  });
});
