import { describe, expect, it } from 'vitest';
import { StudyCreatedV1 } from '@triage/contracts';
import {
  parsePayload,
  PoisonMessageError,
  processPartitioned,
  retryDelay,
  serverSupportsTermReason,
} from './durable-consumer.js';

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

describe('processPartitioned', () => {
  async function* stream<T>(items: T[]) {
    for (const item of items) yield item;
  }

  it('keeps one key in order, overlaps different keys, and never exceeds the concurrency', async () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2', 'd1', 'e1'];
    const delays: Record<string, number> = { a1: 30, a2: 5, a3: 1, b1: 10, b2: 1, c1: 20, d1: 5, e1: 5 };
    const started: string[] = [];
    const finished: string[] = [];
    let running = 0;
    let peak = 0;
    await processPartitioned(stream(items), { concurrency: 3, key: (item) => item[0]! }, async (item) => {
      started.push(item);
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, delays[item]));
      running -= 1;
      finished.push(item);
    });
    expect(finished.filter((i) => i.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(finished.filter((i) => i.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(finished).toHaveLength(items.length);
    expect(peak).toBe(3);
    // b1 finished while a1 (slow, same batch) was still running.
    expect(finished.indexOf('b1')).toBeLessThan(finished.indexOf('a1'));
  });

  it('finishes started work before reporting a failing stream', async () => {
    const done: number[] = [];
    async function* failing() {
      yield 1;
      yield 2;
      throw new Error('pull failed');
    }
    await expect(
      processPartitioned(failing(), { concurrency: 4, key: String }, async (n) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        done.push(n);
      }),
    ).rejects.toThrow('pull failed');
    expect(done.sort()).toEqual([1, 2]);
  });
});
