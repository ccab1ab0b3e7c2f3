import type { Principal } from '@triage/auth';
import { createLogger } from '@triage/logger';
import { buildSchema, parse, type ExecutionResult } from 'graphql';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { prepareFeed } from './feed-request.js';
import type { FeedConnection } from './feed-subscription.js';
import { SubscriptionHub, type FederatedExecutor } from './subscription-hub.js';
import type { FeedEventSource, TriageEventListener, TriageFeedEvent } from './triage-event-source.js';

const schema = buildSchema(`
  scalar Cursor
  type Query { worklistItem(hospitalId: ID!, studyId: ID!): WorklistItem }
  type Subscription { triageFeed(hospitalIds: [ID!], minRisk: Float, after: Cursor): WorklistEvent! }
  type WorklistEvent { cursor: Cursor!, item: WorklistItem! }
  type WorklistItem { id: ID! }
`);
const FEED = 'subscription($after: Cursor) { triageFeed(after: $after) { cursor item { id } } }';
const log = createLogger({ service: 'test', level: 'silent' });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

const event = (sequence: number, hospitalId = 'A'): TriageFeedEvent => ({
  version: 1,
  hospitalId,
  studyId: `s${sequence}`,
  status: 'WAITING',
  priority: 0,
  risk: 0.5,
  modelVersion: null,
  occurredAt: new Date().toISOString(),
  sequence,
  storedAt: Date.now(),
});

/** A stream under the test's control: live events are pushed by hand, replays can be paced. */
class FakeSource implements FeedEventSource {
  listener: TriageEventListener = () => undefined;
  stored: TriageFeedEvent[] = [];
  beforeLastSequence: () => void = () => undefined;
  duringReplay: (sequence: number) => void = () => undefined;
  onEvent(listener: TriageEventListener) {
    this.listener = listener;
  }
  async whenReady() {}
  async lastSequence() {
    this.beforeLastSequence();
    return this.stored.at(-1)?.sequence ?? 0;
  }
  async *replay(after: number, until: number) {
    for (const e of this.stored.filter((x) => x.sequence > after && x.sequence <= until)) {
      await tick();
      this.duringReplay(e.sequence);
      yield e;
    }
  }
  publish(e: TriageFeedEvent) {
    this.stored.push(e);
    this.listener(e);
  }
}

const principal = (hospitals: string[]): Principal => ({
  subject: `u-${hospitals.join()}`,
  kind: 'user',
  issuer: 'i',
  roles: [],
  memberships: hospitals.map((hospitalId) => ({ hospitalId, role: 'doctor' as const })),
  expiresAt: Date.now() + 60_000,
  token: 't',
});
const connection = (who: Principal, closes: number[] = []): FeedConnection => ({
  id: who.subject,
  principal: who,
  close: (code) => void closes.push(code),
});

function setup(bufferLimit = 100, execute?: FederatedExecutor) {
  const source = new FakeSource();
  const calls: string[] = [];
  const hub = new SubscriptionHub({
    source,
    execute:
      execute ??
      (async (request) => {
        calls.push(String(request.variables.feedStudyId));
        return { data: { item0: { id: `A:${request.variables.feedStudyId}` } } };
      }),
    schema: () => schema,
    registry: new Registry(),
    log,
    bufferLimit,
    fetchConcurrency: 4,
  });
  return { source, hub, calls };
}

async function take(stream: AsyncGenerator<ExecutionResult>, count: number): Promise<string[]> {
  const cursors: string[] = [];
  for (let i = 0; i < count; i++) {
    const { value } = await stream.next();
    cursors.push((value!.data as { triageFeed: { cursor: string } }).triageFeed.cursor);
  }
  return cursors;
}

describe('SubscriptionHub', () => {
  it('resumes after a cursor with no gap and no duplicate while live events keep arriving', async () => {
    const { source, hub } = setup();
    for (let s = 1; s <= 8; s++) source.stored.push(event(s));
    // Live events race the resume: 9 and 10 arrive between registration and reading the stream's end,
    // 11 and 12 while the replay is running.
    source.beforeLastSequence = () => {
      source.publish(event(9));
      source.publish(event(10));
    };
    source.duringReplay = (sequence) => {
      if (sequence === 5) source.publish(event(11));
      if (sequence === 7) source.publish(event(12));
    };
    const who = principal(['A']);
    const feed = prepareFeed(schema, parse(FEED), undefined, { after: '3' }, who);
    const stream = (await hub.subscribe(feed, connection(who))) as AsyncGenerator<ExecutionResult>;
    expect(await take(stream, 9)).toEqual(['4', '5', '6', '7', '8', '9', '10', '11', '12']);
    source.publish(event(13));
    expect(await take(stream, 1)).toEqual(['13']);
    await stream.return(undefined);
    expect(hub.size).toBe(0);
  });

  it('fetches once per event for subscribers sharing selection and scope, once per scope otherwise', async () => {
    const { source, hub, calls } = setup();
    const a1 = principal(['A']);
    const a2 = { ...principal(['A']), subject: 'other doctor' };
    const ab = principal(['A', 'B']);
    const streams = await Promise.all(
      [a1, a2, ab].map(
        async (who) =>
          (await hub.subscribe(
            prepareFeed(schema, parse(FEED), undefined, {}, who),
            connection(who),
          )) as AsyncGenerator<ExecutionResult>,
      ),
    );
    source.publish(event(1, 'A'));
    source.publish(event(2, 'B'));
    for (const stream of streams) expect(await take(stream, 1)).toEqual(['1']);
    expect(await take(streams[2]!, 1)).toEqual(['2']);
    expect(calls).toEqual(['s1', 's1', 's2']); // A: two scopes; B: only the doctor of both
  });

  it('closes a subscriber that stops reading instead of buffering without bound', async () => {
    const { source, hub } = setup(3);
    const who = principal(['A']);
    const closes: number[] = [];
    const stream = (await hub.subscribe(
      prepareFeed(schema, parse(FEED), undefined, {}, who),
      connection(who, closes),
    )) as AsyncGenerator<ExecutionResult>;
    for (let s = 1; s <= 3; s++) source.publish(event(s));
    expect(closes).toEqual([]);
    source.publish(event(4));
    expect(closes).toEqual([4008]);
    await stream.return(undefined);
  });

  it('retries a transient enrichment failure once before reporting an error', async () => {
    let attempts = 0;
    const { source, hub } = setup(10, async () => {
      attempts += 1;
      if (attempts === 1)
        return {
          data: { item0: null },
          errors: [{ message: 'Hospital "A" is unavailable', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }],
        };
      return { data: { item0: { id: 'A:s1' } } };
    });
    const who = principal(['A']);
    const stream = (await hub.subscribe(
      prepareFeed(schema, parse(FEED), undefined, {}, who),
      connection(who),
    )) as AsyncGenerator<ExecutionResult>;
    source.publish(event(1));
    const { value } = await stream.next();
    expect(value).toEqual({ data: { triageFeed: { cursor: '1', item: { id: 'A:s1' } } } });
    expect(attempts).toBe(2);
  });
});
