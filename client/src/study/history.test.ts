import { describe, expect, it } from 'vitest';
import { buildHistory } from './history';

const prediction = (id: string, createdAt: string) => ({
  id,
  modelVersion: 'v1',
  risk: 0.8,
  label: 'PNEUMONIA' as const,
  threshold: 0.5,
  createdAt,
});
const review = (id: string, reviewedAt: string) => ({
  id,
  finding: 'NORMAL' as const,
  notes: null,
  reviewedAt,
  reviewerName: 'Dr. Who',
});

describe('study history', () => {
  it('interleaves predictions and reviews, newest first', () => {
    const history = buildHistory(
      [prediction('p1', '2025-01-01T10:00:00Z'), prediction('p2', '2025-01-03T10:00:00Z')],
      [review('r1', '2025-01-02T10:00:00Z')],
    );
    expect(history.map((entry) => entry.key)).toEqual(['p:p2', 'r:r1', 'p:p1']);
  });

  it('lists a review before a prediction of the same instant', () => {
    const history = buildHistory([prediction('p1', '2025-01-01T10:00:00Z')], [review('r1', '2025-01-01T10:00:00Z')]);
    expect(history.map((entry) => entry.kind)).toEqual(['review', 'prediction']);
  });
});
