import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.js';

describe('MicroBatcher', () => {
  it('closes a batch when it is full', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>(3, 10_000, async (b) => void batches.push(b));
    [1, 2, 3, 4, 5, 6, 7].forEach((n) => batcher.add(n));
    await batcher.drain();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('closes a partial batch after the maximum wait', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>(100, 20, async (b) => void batches.push(b));
    batcher.add(1);
    batcher.add(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toEqual([[1, 2]]);
  });

  it('runs one batch at a time, in order', async () => {
    const events: string[] = [];
    const batcher = new MicroBatcher<number>(1, 5, async ([n]) => {
      events.push(`start ${n}`);
      await new Promise((r) => setTimeout(r, 10));
      events.push(`end ${n}`);
    });
    batcher.add(1);
    batcher.add(2);
    await batcher.drain();
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('closes a batch at once when no more items are coming', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>(100, 10_000, async (b) => void batches.push(b));
    batcher.add(1);
    batcher.add(2, false);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([[1, 2]]);
    batcher.add(3, false);
    await batcher.drain();
    expect(batches).toEqual([[1, 2], [3]]);
  });
});
