import type { Principal } from '@triage/auth';
import type { ExecutionResult } from 'graphql';
import { readableHospitals, type PreparedFeed } from './feed-request.js';
import type { TriageFeedEvent } from './triage-event-source.js';

/** One graphql-ws connection: one principal (from connection_init) and its subscriptions. */
export interface FeedConnection {
  readonly id: string;
  readonly principal: Principal;
  /** Ends every subscription of the connection and closes the socket with the code and reason. */
  close(code: number, reason: string): void;
}

/** Raised inside the hub when a subscriber cannot keep up; the connection is closed with it. */
export const SLOW_CONSUMER_CLOSE = {
  code: 4008,
  reason: 'Slow consumer: too many undelivered events',
} as const;

/**
 * One subscriber of the feed: its filter and authorization, its position in the stream, and a
 * bounded queue of results in stream order. Results are queued as promises at fan-out time, so
 * enrichment may finish out of order while delivery stays in order.
 */
export class FeedSubscription implements AsyncGenerator<ExecutionResult, undefined> {
  /** Sequence of the last stream event this subscriber has considered (delivered or filtered out). */
  position = 0;
  /** While replaying, live events wait here (bounded like the queue). */
  pendingLive: TriageFeedEvent[] | null = null;
  readonly readable: ReadonlySet<string>;
  private readonly queue: Promise<ExecutionResult>[] = [];
  private wakeReader?: () => void;
  private wakeWriter?: () => void;
  private ended = false;
  private finishing = false;
  private onEnd: () => void = () => undefined;

  constructor(
    readonly feed: PreparedFeed,
    readonly connection: FeedConnection,
    /** Subscribers with equal group keys share one federated fetch per event. */
    readonly groupKey: string,
    private readonly bufferLimit: number,
  ) {
    this.readable = new Set(readableHospitals(connection.principal));
  }

  get done(): boolean {
    return this.ended;
  }

  get queued(): number {
    return this.queue.length;
  }

  whenEnded(callback: () => void): void {
    this.onEnd = callback;
  }

  /**
   * Whether this event is for this subscriber. Membership is checked on every event, whatever
   * the subscription asked for: a hospital the principal cannot read never gets through.
   */
  matches(event: TriageFeedEvent): boolean {
    if (!this.readable.has(event.hospitalId)) return false;
    const { filter } = this.feed;
    if (filter.kind === 'studyUpdated')
      return event.hospitalId === filter.hospitalId && event.studyId === filter.studyId;
    if (!filter.hospitalIds.includes(event.hospitalId)) return false;
    return filter.minRisk == null || (event.risk != null && event.risk >= filter.minRisk);
  }

  /**
   * Queues a result. Never blocks the fan-out: a subscriber whose queue is full is too slow, and
   * its connection is closed instead of letting the gateway buffer without bound.
   */
  enqueue(result: Promise<ExecutionResult>): boolean {
    if (this.ended || this.finishing) return false;
    if (this.queue.length >= this.bufferLimit) {
      this.connection.close(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason);
      return false;
    }
    return this.push(result);
  }

  private push(result: Promise<ExecutionResult>): boolean {
    this.queue.push(result);
    this.wakeReader?.();
    return true;
  }

  /** Replay waits for room instead of failing: it can pace itself, unlike the live stream. */
  async waitForRoom(): Promise<void> {
    while (!this.ended && this.queue.length >= Math.max(1, Math.floor(this.bufferLimit / 2))) {
      await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    }
  }

  /** Completes the stream once what is queued has been delivered; nothing new is accepted. */
  finish(): void {
    this.finishing = true;
    if (this.queue.length === 0) this.end();
    else this.wakeReader?.();
  }

  /** Ends the stream for graphql-ws; queued results are dropped. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.pendingLive = null;
    this.wakeReader?.();
    this.wakeWriter?.();
    this.onEnd();
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    while (!this.ended && this.queue.length === 0) {
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
    if (this.ended) return { done: true, value: undefined };
    const head = this.queue[0]!;
    const value = await head;
    // end() may have run meanwhile; the queue is then empty and the result is dropped.
    if (this.ended) return { done: true, value: undefined };
    this.queue.shift();
    this.wakeWriter?.();
    if (this.finishing && this.queue.length === 0) queueMicrotask(() => this.end());
    return { done: false, value };
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
