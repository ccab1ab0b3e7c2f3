import { gql } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  doctorOf,
  hospitalId,
  predictionCreated,
  publishPrediction,
  publishStudy,
  startHarness,
  studyCreated,
  studyId,
  waitFor,
  worklist,
  WORKLIST_QUERY,
  type Harness,
  type WorklistNode,
} from './harness.js';
import { WorklistItem } from '../src/worklist-item/worklist-item.entity.js';

interface Seed {
  hospitalId: string;
  studyId: string;
  /** Minutes after the base time the study was registered. */
  minute: number;
  risk?: number;
  image?: boolean;
}

describe('worklist', () => {
  let h: Harness;
  const A = hospitalId('hosa');
  const B = hospitalId('hosb');
  const base = Date.parse('2025-05-01T08:00:00.000Z');
  const seeds: Seed[] = [
    { hospitalId: A, studyId: studyId(), minute: 5, risk: 0.5 },
    { hospitalId: A, studyId: studyId(), minute: 1, risk: 0.9 },
    { hospitalId: A, studyId: studyId(), minute: 2, risk: 0.5 }, // same risk, registered earlier: before minute 5
    { hospitalId: A, studyId: studyId(), minute: 3, risk: 0.2 },
    { hospitalId: A, studyId: studyId(), minute: 4 }, // awaiting prediction
    { hospitalId: A, studyId: studyId(), minute: 6, image: false }, // awaiting image
    { hospitalId: B, studyId: studyId(), minute: 7, risk: 0.95 },
    { hospitalId: B, studyId: studyId(), minute: 0, risk: 0.1 },
    { hospitalId: B, studyId: studyId(), minute: 8 },
    { hospitalId: A, studyId: studyId(), minute: 9, risk: 0.5 }, // three-way tie on priority 500
  ];
  /** Expected order: priority desc, then registration time asc. */
  const expectedOrder = (filter: (s: Seed) => boolean) =>
    seeds
      .filter(filter)
      .sort((x, y) => Math.round((y.risk ?? 0) * 1000) - Math.round((x.risk ?? 0) * 1000) || x.minute - y.minute)
      .map((s) => `${s.hospitalId}:${s.studyId}`);

  let doctorA: string;
  let doctorAB: string;

  beforeAll(async () => {
    h = await startHarness();
    for (const seed of seeds) {
      const occurredAt = new Date(base + seed.minute * 60_000).toISOString();
      await publishStudy(h, studyCreated({ hospitalId: seed.hospitalId, studyId: seed.studyId, occurredAt, ...(seed.image === false ? { image: null } : {}) }));
      if (seed.risk !== undefined) {
        await publishPrediction(h, predictionCreated({ hospitalId: seed.hospitalId, studyId: seed.studyId, risk: seed.risk, occurredAt: new Date(base + (seed.minute + 0.5) * 60_000).toISOString() }));
      }
    }
    const withRisk = seeds.filter((s) => s.risk !== undefined).length;
    await waitFor(
      async () => (await h.server.orm.em.fork().count(WorklistItem, { risk: { $ne: null } })) === withRisk &&
        (await h.server.orm.em.fork().count(WorklistItem, {})) === seeds.length,
      'seeded worklist',
    );
    doctorA = await doctorOf(h, A);
    doctorAB = await doctorOf(h, A, B);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists the highest risk first, oldest first among equals', async () => {
    const { data, errors } = await worklist(h, doctorAB);
    expect(errors).toBeUndefined();
    expect(data!.worklist.edges.map((e) => e.node.id)).toEqual(expectedOrder(() => true));
    expect(data!.worklist.totalCount).toBe(seeds.length);
    expect(data!.worklist.pageInfo.hasNextPage).toBe(false);
    const top = data!.worklist.edges[0]!.node;
    expect(top).toMatchObject<Partial<WorklistNode>>({
      hospitalId: B,
      hospital: { id: B },
      status: 'WAITING',
      priority: 950,
      risk: 0.95,
      modelVersion: 'v1',
      receivedAt: new Date(base + 7 * 60_000).toISOString(),
    });
    expect(top.study).toEqual({ hospitalId: B, id: top.id.split(':')[1] });
    const unpredicted = data!.worklist.edges.map((e) => e.node).filter((n) => n.risk === null);
    expect(unpredicted.every((n) => n.priority === 0)).toBe(true);
  });

  it('pages with cursors over the whole list without gaps or duplicates', async () => {
    for (const first of [1, 3, 4]) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const { data, errors }: Awaited<ReturnType<typeof worklist>> = await worklist(h, doctorAB, { first, after });
        expect(errors).toBeUndefined();
        const page = data!.worklist;
        expect(page.edges.length).toBeLessThanOrEqual(first);
        expect(page.totalCount).toBe(seeds.length);
        seen.push(...page.edges.map((e) => e.node.id));
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
        pages += 1;
        if (!page.pageInfo.hasNextPage) break;
        if (pages > seeds.length) throw new Error(`pagination with first=${first} does not end`);
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(expectedOrder(() => true));
      expect(pages).toBe(Math.ceil(seeds.length / first));
    }
  });

  it('keeps its place when a new study arrives between pages', async () => {
    const firstPage = (await worklist(h, doctorA, { first: 2 })).data!.worklist;
    const late = studyId();
    await publishStudy(h, studyCreated({ hospitalId: A, studyId: late, occurredAt: new Date(base - 60_000).toISOString() }));
    await publishPrediction(h, predictionCreated({ hospitalId: A, studyId: late, risk: 0.99 }));
    await waitFor(async () => (await h.server.orm.em.fork().findOne(WorklistItem, { hospitalId: A, studyId: late }))?.risk === 0.99, 'late study');
    const rest = (await worklist(h, doctorA, { first: 200, after: firstPage.pageInfo.endCursor })).data!.worklist;
    // The newcomer ranks above the cursor: it is not repeated on later pages, and nothing is skipped.
    expect([...firstPage.edges, ...rest.edges].map((e) => e.node.id)).toEqual(expectedOrder((s) => s.hospitalId === A));
    seeds.push({ hospitalId: A, studyId: late, minute: -1, risk: 0.99 });
  });

  it('filters by minimum risk and by status', async () => {
    const risky = (await worklist(h, doctorAB, { minRisk: 0.5 })).data!.worklist;
    expect(risky.edges.map((e) => e.node.id)).toEqual(expectedOrder((s) => (s.risk ?? -1) >= 0.5));
    expect(risky.totalCount).toBe(risky.edges.length);

    const pending = (await worklist(h, doctorAB, { status: ['AWAITING_IMAGE', 'AWAITING_PREDICTION'] })).data!.worklist;
    expect(pending.edges.map((e) => [e.node.id, e.node.status])).toEqual(
      expectedOrder((s) => s.risk === undefined).map((id) => [id, seeds.find((s) => id.endsWith(s.studyId))!.image === false ? 'AWAITING_IMAGE' : 'AWAITING_PREDICTION']),
    );

    const combined = (await worklist(h, doctorAB, { hospitalIds: [B], status: ['WAITING'], minRisk: 0.05 })).data!.worklist;
    expect(combined.edges.map((e) => e.node.id)).toEqual(expectedOrder((s) => s.hospitalId === B && s.risk !== undefined));
  });

  it("shows a doctor only their own hospital's studies", async () => {
    const own = (await worklist(h, doctorA)).data!.worklist;
    expect(own.edges.length).toBeGreaterThan(0);
    expect(own.edges.every((e) => e.node.hospitalId === A)).toBe(true);
    expect(own.totalCount).toBe(seeds.filter((s) => s.hospitalId === A).length);

    for (const hospitalIds of [[B], [A, B]]) {
      const { data, errors } = await worklist(h, doctorA, { hospitalIds });
      expect(data).toBeNull();
      expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('refuses principals without a clinical membership', async () => {
    const researcher = await h.issuer.sign({ sub: 'r1', roles: ['researcher'] });
    const admin = await h.issuer.sign({ sub: 'a1', roles: ['admin'] });
    for (const token of [researcher, admin]) {
      const { errors } = await worklist(h, token);
      expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('answers 401 without a valid token', async () => {
    const anonymous = await gql(h.graphqlUrl, WORKLIST_QUERY, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const garbage = await gql(h.graphqlUrl, WORKLIST_QUERY, {}, 'not.a.jwt');
    expect(garbage.status).toBe(401);
  });

  it('rejects oversized pages and forged cursors', async () => {
    for (const variables of [{ first: 201 }, { first: -1 }, { after: 'bm90IGEgY3Vyc29y' }, { minRisk: 1.5 }]) {
      const { errors } = await worklist(h, doctorA, variables);
      expect(errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
  });

  it('resolves Study references in a batch, FORBIDDEN only for foreign hospitals', async () => {
    const ownStudy = seeds.find((s) => s.hospitalId === A && s.risk === 0.9)!;
    const foreignStudy = seeds.find((s) => s.hospitalId === B)!;
    const unknownStudy = studyId();
    const logger = h.server.orm.config.getLogger();
    const queries = vi.spyOn(logger, 'logQuery');
    const { data, errors } = await gql<{ _entities: ({ id: string; triage: unknown; prediction: unknown } | null)[] }>(
      h.graphqlUrl,
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Study { id hospitalId triage { status risk priority } prediction { risk } } } }`,
      {
        representations: [
          { __typename: 'Study', hospitalId: A, id: ownStudy.studyId },
          { __typename: 'Study', hospitalId: B, id: foreignStudy.studyId },
          { __typename: 'Study', hospitalId: A, id: unknownStudy },
        ],
      },
      doctorA,
    );
    expect(data!._entities[0]).toMatchObject({ id: ownStudy.studyId, triage: { status: 'WAITING', risk: 0.9, priority: 900 }, prediction: { risk: 0.9 } });
    expect(data!._entities[1]).toBeNull();
    expect(data!._entities[2]).toMatchObject({ id: unknownStudy, triage: null, prediction: null });
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'FORBIDDEN' } });
    // Batched: one query for the triage rows and one for the predictions, however many studies.
    const sql = queries.mock.calls.map(([context]) => String(context.query));
    queries.mockRestore();
    expect(sql.filter((q) => q.includes('from "worklist_item"'))).toHaveLength(1);
    expect(sql.filter((q) => q.includes('from "prediction"'))).toHaveLength(1);
  });
  it('answers one worklist item by study, with the worklist\'s access rules', async () => {
    const query = 'query($h: ID!, $s: ID!) { worklistItem(hospitalId: $h, studyId: $s) { id hospitalId status risk priority study { id } } }';
    const own = seeds.find((s) => s.hospitalId === A && s.risk === 0.9)!;
    const found = await gql<{ worklistItem: Record<string, unknown> | null }>(h.graphqlUrl, query, { h: A, s: own.studyId }, doctorA);
    expect(found.errors).toBeUndefined();
    expect(found.data!.worklistItem).toEqual({ id: `${A}:${own.studyId}`, hospitalId: A, status: 'WAITING', risk: 0.9, priority: 900, study: { id: own.studyId } });

    const unknown = await gql<{ worklistItem: unknown }>(h.graphqlUrl, query, { h: A, s: studyId() }, doctorA);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.worklistItem).toBeNull();

    const foreign = seeds.find((s) => s.hospitalId === B)!;
    const refused = await gql<{ worklistItem: unknown }>(h.graphqlUrl, query, { h: B, s: foreign.studyId }, doctorA);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(refused.data)).not.toContain(foreign.studyId);
  });

  it('declares the live feed but leaves serving it to the gateway', async () => {
    const { errors } = await gql(h.graphqlUrl, 'subscription { triageFeed { cursor item { id } } }', {}, doctorA);
    expect(errors?.[0]?.message).toMatch(/served by the gateway/);
  });
});
