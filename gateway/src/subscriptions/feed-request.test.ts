import type { Principal } from '@triage/auth';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { shapeFeedEvent } from './event-shaping.js';
import { authorizationScope, parseCursor, prepareFeed } from './feed-request.js';

const schema = buildSchema(`
  scalar Cursor
  type Query { worklistItem(hospitalId: ID!, studyId: ID!): WorklistItem }
  type Subscription {
    triageFeed(hospitalIds: [ID!], minRisk: Float, after: Cursor): WorklistEvent!
    studyUpdated(hospitalId: ID!, id: ID!, after: Cursor): WorklistEvent!
  }
  type WorklistEvent { cursor: Cursor!, item: WorklistItem! }
  type WorklistItem { id: ID!, hospitalId: ID!, risk: Float, study: Study! }
  type Study { id: ID!, patient: Patient! }
  type Patient { name: String!, initials(length: Int): String }
`);

const principal = (memberships: Principal['memberships'], roles: Principal['roles'] = []): Principal => ({
  subject: 'u1',
  kind: 'user',
  issuer: 'https://issuer',
  roles,
  memberships,
  expiresAt: Date.now() + 60_000,
  token: 't',
});
const doctorOfA = principal([{ hospitalId: 'A', role: 'doctor' }]);
const prepare = (query: string, variables: Record<string, unknown> = {}, who = doctorOfA) =>
  prepareFeed(schema, parse(query), undefined, variables, who);

describe('prepareFeed', () => {
  it('builds one enrichment query from the item selection, keeping the variables and fragments it uses', () => {
    const feed = prepare(
      `subscription S($h: [ID!], $len: Int, $unused: Boolean) {
        feed: triageFeed(hospitalIds: $h, minRisk: 0.5) { c: cursor item { ...Item } }
      }
      fragment Item on WorklistItem { id risk study { patient { initials(length: $len) } } }`,
      { h: ['A'], len: 2 },
    );
    expect(feed.filter).toEqual({ kind: 'triageFeed', hospitalIds: ['A'], minRisk: 0.5 });
    expect(feed.responseKey).toBe('feed');
    expect(feed.after).toBeNull();
    expect(feed.enrichment.items).toEqual([{ alias: 'item0', responseKey: 'item' }]);
    expect(feed.enrichment.variables).toEqual({ len: 2 });
    expect(feed.enrichment.query.replace(/\s+/g, ' ')).toBe(
      'query FeedEventEnrichment($feedHospitalId: ID!, $feedStudyId: ID!, $len: Int) { item0: worklistItem(hospitalId: $feedHospitalId, studyId: $feedStudyId) { ...Item } } fragment Item on WorklistItem { id risk study { patient { initials(length: $len) } } }',
    );
  });

  it('gives subscribers the same selection key only when their events would look the same', () => {
    const a = prepare('subscription { triageFeed(minRisk: 0.1) { cursor item { id risk } } }');
    const b = prepare(
      'subscription Other($h: [ID!]) { triageFeed(hospitalIds: $h) { cursor item { id risk } } }',
      { h: ['A'] },
    );
    const c = prepare('subscription { triageFeed { cursor item { id } } }');
    const d = prepare(
      'subscription($n: Int) { triageFeed { cursor item { study { patient { initials(length: $n) } } } } }',
      { n: 1 },
    );
    const e = prepare(
      'subscription($n: Int) { triageFeed { cursor item { study { patient { initials(length: $n) } } } } }',
      { n: 2 },
    );
    expect(a.selectionKey).toBe(b.selectionKey); // filters differ, payloads do not
    expect(a.selectionKey).not.toBe(c.selectionKey);
    expect(d.selectionKey).not.toBe(e.selectionKey);
  });

  it('refuses hospitals the principal cannot read, and principals without a clinical membership', () => {
    expect(() => prepare('subscription { triageFeed(hospitalIds: ["B"]) { cursor } }')).toThrow(
      expect.objectContaining({ extensions: { code: 'FORBIDDEN' } }),
    );
    expect(() => prepare('subscription { triageFeed(hospitalIds: ["A", "B"]) { cursor } }')).toThrow(
      'Not a member of every requested hospital',
    );
    expect(() => prepare('subscription { studyUpdated(hospitalId: "B", id: "s") { cursor } }')).toThrow(
      'Not a member of this hospital',
    );
    expect(() =>
      prepare('subscription { triageFeed { cursor } }', {}, principal([], ['admin', 'researcher'])),
    ).toThrow('The triage feed is only available to hospital staff');
    expect(
      prepare(
        'subscription { triageFeed { cursor } }',
        {},
        principal([
          { hospitalId: 'A', role: 'doctor' },
          { hospitalId: 'B', role: 'technician' },
        ]),
      ).filter,
    ).toEqual({
      kind: 'triageFeed',
      hospitalIds: ['A', 'B'],
      minRisk: null,
    });
  });

  it('checks minRisk and cursors', () => {
    expect(() => prepare('subscription { triageFeed(minRisk: 1.5) { cursor } }')).toThrow(
      'minRisk must be between 0 and 1',
    );
    expect(() =>
      prepare('subscription($a: Cursor) { triageFeed(after: $a) { cursor } }', { a: 'abc' }),
    ).toThrow('Invalid cursor');
    expect(prepare('subscription($a: Cursor) { triageFeed(after: $a) { cursor } }', { a: '41' }).after).toBe(
      41,
    );
    expect(parseCursor(null)).toBeNull();
    expect(() => parseCursor(-1)).toThrow('Invalid cursor');
  });
});

describe('authorizationScope', () => {
  it('depends on memberships and roles, not on who the principal is or their order', () => {
    const one = principal([
      { hospitalId: 'A', role: 'doctor' },
      { hospitalId: 'B', role: 'doctor' },
    ]);
    const other = {
      ...principal([
        { hospitalId: 'B', role: 'doctor' },
        { hospitalId: 'A', role: 'doctor' },
      ]),
      subject: 'u2',
    };
    expect(authorizationScope(one)).toBe(authorizationScope(other));
    expect(authorizationScope(one)).not.toBe(
      authorizationScope(
        principal([
          { hospitalId: 'A', role: 'doctor' },
          { hospitalId: 'B', role: 'technician' },
        ]),
      ),
    );
  });
});

describe('shapeFeedEvent', () => {
  it("answers with the subscriber's aliases, fragments and __typename", () => {
    const feed = prepare(`subscription {
      triageFeed { __typename at: cursor ...E a: item { id } }
    }
    fragment E on WorklistEvent { a: item { risk } b: item { study { patient { n: name } } } }`);
    expect(feed.enrichment.items).toEqual([
      { alias: 'item0', responseKey: 'a' },
      { alias: 'item1', responseKey: 'b' },
    ]);
    const shaped = shapeFeedEvent(schema, feed, '12', {
      data: { item0: { id: 'A:1', risk: 0.7 }, item1: { study: { patient: { n: 'Ann' } } } },
    });
    expect(shaped).toEqual({
      data: {
        triageFeed: {
          __typename: 'WorklistEvent',
          at: '12',
          a: { id: 'A:1', risk: 0.7 },
          b: { study: { patient: { n: 'Ann' } } },
        },
      },
    });
  });

  it("reports subgraph errors at the subscriber's path", () => {
    const feed = prepare('subscription { f: triageFeed { cursor item { id study { patient { name } } } } }');
    const shaped = shapeFeedEvent(schema, feed, '3', {
      data: { item0: { id: 'A:1', study: null } },
      errors: [
        {
          message: 'Hospital "A" is unavailable',
          path: ['item0', 'study'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
        },
      ],
    });
    expect(shaped.data).toBeNull();
    expect(shaped.errors?.map((e) => [e.message, e.path, e.extensions.code])).toEqual([
      ['Hospital "A" is unavailable', ['f', 'item', 'study'], 'SUBGRAPH_UNAVAILABLE'],
    ]);
  });
});
