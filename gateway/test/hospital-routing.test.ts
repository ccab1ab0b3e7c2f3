import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HospitalRoutingDataSource } from '../src/hospitals/hospital-data-source.js';
import type { HospitalRegistry, HospitalRoute } from '../src/hospitals/hospital-registry.js';

interface Recorded {
  query: string;
  variables: Record<string, any>;
}

/** A real HTTP GraphQL endpoint standing in for one hospital instance; it records what it is asked. */
async function recordingInstance(hospitalId: string) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = JSON.parse(body) as Recorded;
      requests.push(request);
      res.setHeader('content-type', 'application/json');
      if (request.variables.representations) {
        const reps = request.variables.representations as { hospitalId: string; id: string }[];
        const errors = reps.flatMap((r, i) => (r.id === 'bad' ? [{ message: 'refused', path: ['_entities', i] }] : []));
        res.end(JSON.stringify({
          data: { _entities: reps.map((r) => (r.id === 'bad' ? null : { id: r.id, servedBy: hospitalId, wrong: r.hospitalId !== hospitalId })) },
          ...(errors.length ? { errors } : {}),
        }));
      } else {
        res.end(JSON.stringify({ data: { [request.query.match(/(\w+): patients/)?.[1] ?? 'patients']: { servedBy: hospitalId } } }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return { hospitalId, url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('HospitalRoutingDataSource', () => {
  let a: Awaited<ReturnType<typeof recordingInstance>>;
  let b: Awaited<ReturnType<typeof recordingInstance>>;
  let source: HospitalRoutingDataSource;

  beforeAll(async () => {
    a = await recordingInstance('A');
    b = await recordingInstance('B');
    const routes = new Map<string, HospitalRoute>([
      ['A', { id: 'A', slug: 'a', name: 'A', subgraphUrl: a.url }],
      ['B', { id: 'B', slug: 'b', name: 'B', subgraphUrl: b.url }],
    ]);
    const registry: HospitalRegistry = { get: (id) => routes.get(id), list: () => [...routes.values()], ready: () => true };
    source = new HospitalRoutingDataSource(registry);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const process = (query: string, variables: Record<string, unknown>) =>
    source.process({
      kind: 'incoming operation',
      request: { query, variables },
      context: { requestId: 'test', principal: null },
      incomingRequestContext: {},
    } as never);

  it('splits mixed representations by hospital, keeps their order and never asks the wrong hospital', async () => {
    const representations = ['A', 'B', 'B', 'A', 'X', 'A', 'B'].map((h, i) => ({ __typename: 'Study', hospitalId: h, id: `s${i}` }));
    const res = await process('query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Study { id } } }', {
      representations,
    });
    const entities = res.data!._entities as ({ id: string; servedBy: string; wrong: boolean } | null)[];
    expect(entities.map((e) => e?.id ?? null)).toEqual(['s0', 's1', 's2', 's3', null, 's5', 's6']);
    expect(entities.map((e) => e?.servedBy ?? null)).toEqual(['A', 'B', 'B', 'A', null, 'A', 'B']);
    expect(entities.some((e) => e?.wrong)).toBe(false);
    expect(a.requests.at(-1)!.variables.representations.every((r: { hospitalId: string }) => r.hospitalId === 'A')).toBe(true);
    expect(b.requests.at(-1)!.variables.representations.every((r: { hospitalId: string }) => r.hospitalId === 'B')).toBe(true);
    expect(res.errors?.map((e) => e.message)).toEqual(['Unknown hospital "X"']);
  });

  it('points an instance’s entity error at the representation’s original position', async () => {
    const representations = [
      { __typename: 'Study', hospitalId: 'A', id: 's0' },
      { __typename: 'Study', hospitalId: 'B', id: 's1' },
      { __typename: 'Study', hospitalId: 'B', id: 'bad' },
    ];
    const res = await process('query($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }', { representations });
    expect(res.errors).toEqual([expect.objectContaining({ message: 'refused', path: ['_entities', 2] })]);
  });

  it('sends root fields to the hospital they name, splitting fields of different hospitals', async () => {
    const before = { a: a.requests.length, b: b.requests.length };
    const res = await process('query($x: ID!) { one: patients(hospitalId: $x) { totalCount } two: patients(hospitalId: "B") { totalCount } }', { x: 'A' });
    expect(res.data).toEqual({ one: { servedBy: 'A' }, two: { servedBy: 'B' } });
    expect(a.requests.length - before.a).toBe(1);
    expect(b.requests.length - before.b).toBe(1);
    expect(a.requests.at(-1)!.query).not.toContain('two:');
  });
});
