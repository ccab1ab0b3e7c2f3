/**
 * Collects items into batches: a batch closes when it holds `maxBatch` items, when `maxWaitMs`
 * has passed since its first item, or as soon as the caller says no more items are on their way
 * (waiting for company that is not coming only adds latency). One batch is processed at a time;
 * items arriving meanwhile wait for the next batch (the consumer's pull limit bounds them).
 */
export class MicroBatcher<T> {
  private pending: T[] = [];
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(
    private readonly maxBatch: number,
    private readonly maxWaitMs: number,
    private readonly process: (batch: T[]) => Promise<void>,
  ) {}

  add(item: T, moreComing = true): void {
    this.pending.push(item);
    if (this.pending.length >= this.maxBatch || !moreComing) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  /** Items accepted but not yet finished. */
  get size(): number {
    return this.pending.length + this.inFlight;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.inFlight += batch.length;
    this.running = this.running.then(async () => {
      try {
        await this.process(batch);
      } finally {
        this.inFlight -= batch.length;
      }
    });
    if (this.pending.length > 0) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  /** Processes everything accepted so far. */
  async drain(): Promise<void> {
    while (this.pending.length > 0) this.flush();
    await this.running;
  }
}
