import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { PreparedFeed } from './feed-request.js';
import { FeedSubscription, SLOW_CONSUMER_CLOSE, type FeedConnection } from './feed-subscription.js';
import type { TriageFeedEvent } from './triage-event-source.js';

const connection = (closes: [number, string][] = []): FeedConnection => ({
  id: 'c1',
  principal: {
    subject: 'u',
    kind: 'user',
    issuer: 'i',
    roles: [],
    memberships: [
      { hospitalId: 'A', role: 'doctor' },
      { hospitalId: 'B', role: 'technician' },
    ],
    expiresAt: Date.now() + 60_000,
    token: 't',
  },
  close: (code, reason) => void closes.push([code, reason]),
});
const feed = (filter: PreparedFeed['filter']) => ({ filter }) as PreparedFeed;
const event = (hospitalId: string, studyId: string, risk: number | null): TriageFeedEvent => ({
  version: 1,
  hospitalId,
  studyId,
  status: 'WAITING',
  priority: 0,
  risk,
  modelVersion: null,
  occurredAt: new Date().toISOString(),
  sequence: 1,
  storedAt: Date.now(),
});
const result = (n: number): ExecutionResult => ({ data: { n } });

describe('FeedSubscription', () => {
  it('matches only readable, requested hospitals above the risk threshold', () => {
    const sub = new FeedSubscription(
      feed({ kind: 'triageFeed', hospitalIds: ['A', 'C'], minRisk: 0.5 }),
      connection(),
      'g',
      10,
    );
    expect(sub.matches(event('A', 's', 0.7))).toBe(true);
    expect(sub.matches(event('A', 's', 0.2))).toBe(false);
    expect(sub.matches(event('A', 's', null))).toBe(false);
    expect(sub.matches(event('B', 's', 0.9))).toBe(false); // readable, not requested
    // Requested but not readable (cannot pass prepareFeed, and is still filtered per event).
    expect(sub.matches(event('C', 's', 0.9))).toBe(false);
    const study = new FeedSubscription(
      feed({ kind: 'studyUpdated', hospitalId: 'B', studyId: 's1' }),
      connection(),
      'g',
      10,
    );
    expect(study.matches(event('B', 's1', null))).toBe(true);
    expect(study.matches(event('B', 's2', null))).toBe(false);
  });

  it('delivers in queue order even when later results resolve first', async () => {
    const sub = new FeedSubscription(
      feed({ kind: 'triageFeed', hospitalIds: ['A'], minRisk: null }),
      connection(),
      'g',
      10,
    );
    let resolveFirst!: (r: ExecutionResult) => void;
    sub.enqueue(new Promise((resolve) => (resolveFirst = resolve)));
    sub.enqueue(Promise.resolve(result(2)));
    const first = sub.next();
    setTimeout(() => resolveFirst(result(1)), 20);
    expect((await first).value).toEqual(result(1));
    expect((await sub.next()).value).toEqual(result(2));
  });

  it('closes the connection of a subscriber that lets its queue fill up, without blocking', async () => {
    const closes: [number, string][] = [];
    const sub = new FeedSubscription(
      feed({ kind: 'triageFeed', hospitalIds: ['A'], minRisk: null }),
      connection(closes),
      'g',
      3,
    );
    for (let i = 0; i < 3; i++) expect(sub.enqueue(Promise.resolve(result(i)))).toBe(true);
    expect(sub.enqueue(Promise.resolve(result(3)))).toBe(false);
    expect(closes).toEqual([[SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason]]);
  });

  it('ends a waiting reader when the subscription ends, and completes after draining on finish', async () => {
    const sub = new FeedSubscription(
      feed({ kind: 'triageFeed', hospitalIds: ['A'], minRisk: null }),
      connection(),
      'g',
      3,
    );
    const waiting = sub.next();
    sub.end();
    expect(await waiting).toEqual({ done: true, value: undefined });

    const finishing = new FeedSubscription(
      feed({ kind: 'triageFeed', hospitalIds: ['A'], minRisk: null }),
      connection(),
      'g',
      3,
    );
    finishing.enqueue(Promise.resolve(result(1)));
    finishing.finish();
    expect(finishing.enqueue(Promise.resolve(result(2)))).toBe(false);
    expect((await finishing.next()).value).toEqual(result(1));
    expect(await finishing.next()).toEqual({ done: true, value: undefined });
  });
});
