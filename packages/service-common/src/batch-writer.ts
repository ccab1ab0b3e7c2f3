import type { Logger } from '@triage/logger';

export interface BatchWriterOptions<V> {
  /** What is written, for the log line when a write fails. */
  what: string;
  /** How long values gather before one write takes them all. */
  delayMs: number;
  /** Values with the same key are written once. */
  keyOf: (value: V) => string;
  /** Which of two values with the same key is written (default: the later one). */
  merge?: (earlier: V, later: V) => V;
  /** Writes a batch; one that fails is retried with the next batch. */
  write: (batch: V[]) => Promise<void>;
  log?: Logger;
}

/**
 * Bookkeeping writes that need not happen before the caller goes on (a feed cursor, an outbox
 * row's published mark), gathered for a few milliseconds and written with one statement instead
 * of one each. Writes never overlap; `flush` writes what is pending and waits for it, for shutdown.
 */
export class BatchWriter<V> {
  private pending = new Map<string, V>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchWriterOptions<V>) {}

  add(value: V): void {
    const key = this.options.keyOf(value);
    const earlier = this.pending.get(key);
    this.pending.set(key, earlier !== undefined && this.options.merge ? this.options.merge(earlier, value) : value);
    this.timer ??= setTimeout(() => void this.flush(), this.options.delayMs);
  }

  /** Whether a value with this key waits to be written. */
  has(key: string): boolean {
    return this.pending.has(key);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.writing;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: V[]): Promise<void> {
    try {
      await this.options.write(batch);
    } catch (error) {
      this.options.log?.warn({ err: error, count: batch.length }, `writing ${this.options.what} failed; retrying with the next batch`);
      // Values added meanwhile are newer: they win over the failed ones.
      for (const value of batch) {
        const key = this.options.keyOf(value);
        const later = this.pending.get(key);
        this.pending.set(key, later !== undefined && this.options.merge ? this.options.merge(value, later) : (later ?? value));
      }
      this.timer ??= setTimeout(() => void this.flush(), this.options.delayMs);
    }
  }
}
