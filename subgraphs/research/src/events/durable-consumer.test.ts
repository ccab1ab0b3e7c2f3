import { describe, expect, it } from 'vitest';
import { StudyCreatedV1 } from '@triage/contracts';
import { parsePayload, PoisonMessageError, retryDelay, serverSupportsTermReason } from './durable-consumer.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parsePayload', () => {
  it('names failing fields without echoing payload values', () => {
    const secret = 'Jane Doe 1970-01-01';
    let error: unknown;
    try {
      parsePayload(StudyCreatedV1, bytes(JSON.stringify({ version: 1, hospitalId: secret, studyId: 42 })));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PoisonMessageError);
    const reason = (error as PoisonMessageError).reason;
    expect(reason).toContain('studyId: invalid_type');
    expect(reason).not.toContain('Jane');
  });

  it('refuses bytes that are not JSON as poison', () => {
    expect(() => parsePayload(StudyCreatedV1, bytes('{"name": "Jane'))).toThrow(PoisonMessageError);
    expect(() => parsePayload(StudyCreatedV1, new Uint8Array([0xff, 0xfe]))).toThrow('not UTF-8 JSON');
  });
});

describe('retryDelay', () => {
  it('doubles per delivery and is capped', () => {
    expect([1, 2, 3].map((n) => retryDelay(n, 100, 1_000))).toEqual([100, 200, 400]);
    expect(retryDelay(50, 100, 1_000)).toBe(1_000);
  });
});

describe('serverSupportsTermReason', () => {
  it('is only true from 2.11 on', () => {
    expect(serverSupportsTermReason('2.9.10')).toBe(false);
    expect(serverSupportsTermReason('2.10.22')).toBe(false);
    expect(serverSupportsTermReason('2.11.0')).toBe(true);
    expect(serverSupportsTermReason(undefined)).toBe(false);
  });
});
