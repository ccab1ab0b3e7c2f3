import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatchWriter', () => {
  it('writes what gathered within the delay as one batch, merged by key', async () => {
    const batches: [string, number][][] = [];
    const writer = new BatchWriter<[string, number]>({
      what: 'test values',
      delayMs: 20,
      keyOf: ([key]) => key,
      merge: (a, b) => (a[1] >= b[1] ? a : b),
      write: async (batch) => {
        batches.push(batch);
      },
    });
    writer.add(['a', 2]);
    writer.add(['b', 1]);
    writer.add(['a', 1]);
    expect(writer.has('a')).toBe(true);
    expect(batches).toEqual([]);
    await sleep(40);
    expect(batches).toEqual([[['a', 2], ['b', 1]]]);
    expect(writer.has('a')).toBe(false);
    writer.add(['c', 3]);
    await writer.flush();
    expect(batches).toEqual([[['a', 2], ['b', 1]], [['c', 3]]]);
  });

  it('retries a failed batch with the next one; newer values win', async () => {
    const written: [string, number][] = [];
    let fail = true;
    const writer = new BatchWriter<[string, number]>({
      what: 'test values',
      delayMs: 10,
      keyOf: ([key]) => key,
      merge: (a, b) => (a[1] >= b[1] ? a : b),
      write: async (batch) => {
        if (fail) {
          fail = false;
          throw new Error('database unavailable');
        }
        written.push(...batch);
      },
    });
    writer.add(['a', 1]);
    writer.add(['b', 1]);
    await writer.flush();
    expect(written).toEqual([]);
    writer.add(['a', 5]);
    await writer.flush();
    expect(written.sort()).toEqual([['a', 5], ['b', 1]]);
  });
});
