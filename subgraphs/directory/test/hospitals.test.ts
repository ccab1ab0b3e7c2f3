import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDirectory } from '../src/seed.js';
import { errorCode, startTestDirectory, type TestDirectory } from './harness.js';

const PASSWORD = 'hospital admin password';

describe('hospital administration and the published hospital list', () => {
  let dir: TestDirectory;
  let adminToken: string;

  beforeAll(async () => {
    dir = await startTestDirectory();
    await seedDemoDirectory(dir.server.orm, { hospitals: [], password: PASSWORD });
    adminToken = await dir.login('admin@demo.local', PASSWORD);
  });
  afterAll(async () => {
    await dir?.close();
  });

  it('publishes the (empty) list on start', async () => {
    const published = await dir.readHospitalsKv();
    expect(published).toMatchObject({ version: 1, hospitals: [] });
  });

  it('publishes a created hospital to the directory KV bucket', async () => {
    const res = await dir.call<{ createHospital: { id: string; slug: string; name: string; subgraphUrl: string } }>(
      `mutation { createHospital(input: { slug: "east-side", name: "East Side Hospital", subgraphUrl: "http://127.0.0.1:4103/graphql" }) {
        id slug name subgraphUrl } }`,
      {},
      adminToken,
    );
    expect(res.errors).toBeUndefined();
    const hospital = res.data!.createHospital;
    expect(hospital).toMatchObject({ slug: 'east-side', name: 'East Side Hospital', subgraphUrl: 'http://127.0.0.1:4103/graphql' });

    const published = await dir.readHospitalsKv();
    expect(published?.hospitals).toEqual([
      { id: hospital.id, slug: 'east-side', name: 'East Side Hospital', subgraphUrl: 'http://127.0.0.1:4103/graphql' },
    ]);
    expect(Date.now() - Date.parse(published!.publishedAt)).toBeLessThan(60_000);
  });

  it('publishes updates and keeps the slug', async () => {
    const list = await dir.call<{ hospitals: { id: string }[] }>('{ hospitals { id } }', {}, adminToken);
    const id = list.data!.hospitals[0]!.id;
    const res = await dir.call<{ updateHospital: { slug: string; name: string; subgraphUrl: string } }>(
      'mutation($id: ID!) { updateHospital(id: $id, input: { subgraphUrl: "http://10.0.0.7:4103/graphql" }) { slug name subgraphUrl } }',
      { id },
      adminToken,
    );
    expect(res.data?.updateHospital).toEqual({
      slug: 'east-side',
      name: 'East Side Hospital',
      subgraphUrl: 'http://10.0.0.7:4103/graphql',
    });
    expect((await dir.readHospitalsKv())?.hospitals).toEqual([
      { id, slug: 'east-side', name: 'East Side Hospital', subgraphUrl: 'http://10.0.0.7:4103/graphql' },
    ]);
    const hospital = await dir.call<{ hospital: { name: string } | null }>('query($id: ID!) { hospital(id: $id) { name } }', { id }, adminToken);
    expect(hospital.data?.hospital).toEqual({ name: 'East Side Hospital' });
    const missing = await dir.call<{ hospital: null }>('{ hospital(id: "not-a-uuid") { name } }', {}, adminToken);
    expect(missing.data?.hospital).toBeNull();
  });

  it('refuses duplicate slugs and bad input without publishing', async () => {
    const before = await dir.readHospitalsKv();
    const create = 'mutation($s: String!, $u: String!) { createHospital(input: { slug: $s, name: "Dup", subgraphUrl: $u }) { id } }';
    expect(errorCode(await dir.call(create, { s: 'east-side', u: 'http://127.0.0.1:1/graphql' }, adminToken))).toBe('CONFLICT');
    expect(errorCode(await dir.call(create, { s: 'Bad Slug', u: 'http://127.0.0.1:1/graphql' }, adminToken))).toBe('BAD_USER_INPUT');
    expect(errorCode(await dir.call(create, { s: 'ok-slug', u: 'ftp://example.org' }, adminToken))).toBe('BAD_USER_INPUT');
    const update = await dir.call(
      'mutation { updateHospital(id: "00000000-0000-4000-8000-000000000000", input: { name: "x" }) { id } }',
      {},
      adminToken,
    );
    expect(errorCode(update)).toBe('NOT_FOUND');
    expect((await dir.readHospitalsKv())?.hospitals).toEqual(before?.hospitals);
  });
});
