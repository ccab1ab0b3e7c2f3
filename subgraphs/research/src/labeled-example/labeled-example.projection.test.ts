import { describe, expect, it } from 'vitest';
import { coarsenAgeBand } from './labeled-example.projection.js';

describe('coarsenAgeBand', () => {
  it('groups every age over 89 (Safe Harbor) and keeps other bands', () => {
    expect(coarsenAgeBand('40-49')).toBe('40-49');
    expect(coarsenAgeBand('80-89')).toBe('80-89');
    expect(coarsenAgeBand('90-94')).toBe('90+');
    expect(coarsenAgeBand('95+')).toBe('90+');
    expect(coarsenAgeBand('85-94')).toBe('85+');
    expect(coarsenAgeBand('85+')).toBe('85+');
    expect(coarsenAgeBand(null)).toBeNull();
  });
});
