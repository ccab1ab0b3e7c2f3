import { describe, expect, it } from 'vitest';
import { ageInYears, formatBytes, formatRisk, formatThreshold, riskLevel, triageStatusLabel } from './format';

describe('formatting', () => {
  it('shows risk as a whole percentage and bands it', () => {
    expect(formatRisk(0.874)).toBe('87%');
    expect(formatRisk(null)).toBe('—');
    expect(riskLevel(0.7)).toBe('high');
    expect(riskLevel(0.4)).toBe('medium');
    expect(riskLevel(0.39)).toBe('low');
    expect(riskLevel(null)).toBe('unknown');
    expect(formatThreshold(0.4213)).toBe('42.1%');
  });

  it('computes age in whole years around the birthday', () => {
    const now = new Date(2025, 5, 15);
    expect(ageInYears('1980-06-15', now)).toBe(45);
    expect(ageInYears('1980-06-16', now)).toBe(44);
    expect(ageInYears('not a date', now)).toBeNull();
    expect(ageInYears('2030-01-01', now)).toBeNull();
  });

  it('names statuses and sizes for people', () => {
    expect(triageStatusLabel('WAITING')).toBe('Waiting for review');
    expect(formatBytes(2_500_000)).toBe('2.4 MB');
    expect(formatBytes(500)).toBe('500 B');
  });
});
