import { describe, expect, it } from 'vitest';
import { advanceStatus, priorityFromRisk } from './triage-state.js';

describe('advanceStatus', () => {
  it('moves forward and never back', () => {
    expect(advanceStatus(undefined, 'AWAITING_IMAGE')).toBe('AWAITING_IMAGE');
    expect(advanceStatus('AWAITING_IMAGE', 'AWAITING_PREDICTION')).toBe('AWAITING_PREDICTION');
    expect(advanceStatus('AWAITING_PREDICTION', 'WAITING')).toBe('WAITING');
    // a late study event must not hide a prediction that already arrived
    expect(advanceStatus('WAITING', 'AWAITING_PREDICTION')).toBe('WAITING');
    // a new prediction must not reopen a reviewed study
    expect(advanceStatus('REVIEWED', 'WAITING')).toBe('REVIEWED');
  });
});

describe('priorityFromRisk', () => {
  it('scales risk to an integer and treats a missing risk as 0', () => {
    expect(priorityFromRisk(0.8765)).toBe(877);
    expect(priorityFromRisk(1)).toBe(1000);
    expect(priorityFromRisk(0)).toBe(0);
    expect(priorityFromRisk(null)).toBe(0);
  });
});
