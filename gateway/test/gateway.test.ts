import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, gql, tamperToken, unsignedToken } from '@triage/testing';
import { composeSupergraph, SUPERGRAPH_PATH } from '../src/supergraph/compose.js';
import { TokenIssuer } from '@triage/subgraph-directory';
import { Platform } from './support/platform.js';
import { createPatientWithStudy } from './support/seed.js';

const WORKLIST = `query W($hospitalIds: [ID!]) {
  worklist(first: 50, hospitalIds: $hospitalIds) {
    totalCount
    edges { node { hospitalId status hospital { name } study { id hospitalId accessionNumber patient { name } } } }
  }
}`;

describe('gateway over the federated platform', () => {
  let platform: Platform;
  let stMarys: { token: string };
  let general: { token: string };
  const created: Awaited<ReturnType<typeof createPatientWithStudy>>[] = [];

  beforeAll(async () => {
    platform = await Platform.start();
    stMarys = { token: await platform.integrationToken('st-marys') };
    general = { token: await platform.integrationToken('general') };
    // Interleave the hospitals so entity fetches carry mixed representations.
    for (let i = 0; i < 3; i++) {
      created.push(await createPatientWithStudy(platform, 'st-marys', stMarys.token, `Mary Patient ${i}`));
      created.push(await createPatientWithStudy(platform, 'general', general.token, `General Patient ${i}`));
    }
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  it('serves a doctor the patients and studies of their own hospital', async () => {
    const token = await platform.login('doctor.st-marys@demo.local');
    const h = platform.hospital('st-marys').id;
    const res = await platform.query(
      'query Q($h: ID!) { patients(hospitalId: $h, first: 20) { totalCount edges { node { name studies { edges { node { accessionNumber } } } } } } }',
      { h },
      token,
    );
    expect(res.errors).toBeUndefined();
    const names = res.data!.patients.edges.map((e: { node: { name: string } }) => e.node.name).sort();
    expect(names).toEqual(['Mary Patient 0', 'Mary Patient 1', 'Mary Patient 2']);
  });

  it('resolves each worklist item’s patient from the right hospital, in order', async () => {
    const token = await platform.login('doctor@demo.local');
    const items = await eventually(async () => {
      const res = await platform.query(WORKLIST, {}, token);
      return res.data?.worklist.totalCount === created.length ? res : undefined;
    }, 20_000, 'worklist items for every study');
    expect(items.errors).toBeUndefined();
    const rows = items.data!.worklist.edges.map((e: any) => e.node);
    // Mixed-hospital representations came back in the planner's order: each row's patient is its own.
    for (const row of rows) {
      const expected = created.find((c) => c.studyId === row.study.id)!;
      expect(row.study.patient.name).toBe(expected.name);
      expect(row.study.accessionNumber).toBe(expected.accessionNumber);
      expect(row.hospital.name).toBe(row.hospitalId === platform.hospital('general').id ? 'General' : "St. Mary's");
      expect(row.status).toBe('AWAITING_IMAGE');
    }
    expect(new Set(rows.map((r: any) => r.hospitalId)).size).toBe(2);
  });

  it('splits one query naming two hospitals and answers both', async () => {
    const token = await platform.login('doctor@demo.local');
    const res = await platform.query(
      'query Q($a: ID!, $b: ID!) { a: patients(hospitalId: $a) { totalCount } b: patients(hospitalId: $b, first: 1) { totalCount } }',
      { a: platform.hospital('st-marys').id, b: platform.hospital('general').id },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ a: { totalCount: 3 }, b: { totalCount: 3 } });
  });

  it('refuses a doctor another hospital’s patient, through the gateway and straight at the subgraph', async () => {
    const token = await platform.login('doctor.st-marys@demo.local');
    const foreign = created.find((c) => c.hospitalId === platform.hospital('general').id)!;
    const query = 'query Q($h: ID!, $id: ID!) { patient(hospitalId: $h, id: $id) { name } }';
    const viaGateway = await platform.query(query, { h: foreign.hospitalId, id: foreign.patientId }, token);
    expect(viaGateway.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(viaGateway)).not.toContain(foreign.name);

    const direct = await gql(`${platform.hospital('general').url}/graphql`, query, { h: foreign.hospitalId, id: foreign.patientId }, token);
    expect(direct.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(direct)).not.toContain(foreign.name);

    const noToken = await gql(`${platform.hospital('general').url}/graphql`, query, { h: foreign.hospitalId, id: foreign.patientId });
    expect(noToken.status).toBe(401);
  });

  it('keeps a doctor’s worklist to their own hospitals', async () => {
    const token = await platform.login('doctor.general@demo.local');
    const own = await platform.query(WORKLIST, {}, token);
    expect(own.errors).toBeUndefined();
    expect(own.data!.worklist.edges.every((e: any) => e.node.hospitalId === platform.hospital('general').id)).toBe(true);
    const foreign = await platform.query(WORKLIST, { hospitalIds: [platform.hospital('st-marys').id] }, token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses expired, tampered, unsigned and missing tokens', async () => {
    const token = await platform.login('doctor.st-marys@demo.local');
    const query = '{ worklist { totalCount } }';
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const tampered = tamperToken(token, { memberships: [{ hospitalId: platform.hospital('general').id, role: 'doctor' }] });
    const none = unsignedToken({ ...payload, exp: Math.floor(Date.now() / 1000) + 600 });
    // Signed by the real directory key, but already expired.
    const expiredIssuer = new TokenIssuer(platform.directory.keys, { ...platform.directory.tokens.settings, ttlSeconds: -120 });
    const expired = (await expiredIssuer.issue({ sub: payload.sub, kind: 'user', roles: [], memberships: payload.memberships })).token;
    for (const bad of [expired, tampered, none, 'not-a-jwt']) {
      const res = await platform.query(query, {}, bad);
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const anonymous = await platform.query(query);
    expect(anonymous.status).toBe(401);
  });

  it('refuses abusive queries by depth and by cost with a clear error', async () => {
    const token = await platform.login('doctor@demo.local');
    const h = platform.hospital('st-marys').id;
    const deep = await platform.query(
      `query D($h: ID!) { patients(hospitalId: $h) { edges { node { studies { edges { node { patient { studies { edges { node { patient { name } } } } } } } } } } } }`,
      { h },
      token,
    );
    expect(deep.errors?.[0]?.message).toMatch(/^Query depth \d+ exceeds the limit of 10$/);
    const costly = await platform.query(
      `query C($h: ID!) { patients(hospitalId: $h, first: 100) { edges { node { studies(first: 100) { edges { node { id } } } } } } }`,
      { h },
      token,
    );
    expect(costly.errors?.[0]?.message).toMatch(/^Query cost \d+ exceeds the limit of 5000$/);
  });

  it('keeps introspection off and CSRF prevention on', async () => {
    const token = await platform.login('doctor@demo.local');
    const res = await platform.query('{ __schema { queryType { name } } }', {}, token);
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    const csrf = await fetch(`${platform.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(csrf.status).toBe(400);
  });

  it('routes to a hospital that joins the directory, without restarting the gateway', async () => {
    const admin = await platform.login('admin@demo.local');
    const created = await platform.query(
      'mutation H($input: CreateHospitalInput!) { createHospital(input: $input) { id } }',
      { input: { slug: 'northside', name: 'Northside', subgraphUrl: 'http://127.0.0.1:9/graphql' } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createHospital.id as string;
    const northside = await platform.startHospital(id, 'northside', 'Northside');
    platform.hospitals.push(northside);
    await platform.query(
      'mutation U($id: ID!, $input: UpdateHospitalInput!) { updateHospital(id: $id, input: $input) { id } }',
      { id, input: { subgraphUrl: `${northside.url}/graphql` } },
      admin,
    );
    const users = await platform.query('{ users { id email } }', {}, admin);
    const doctor = users.data!.users.find((u: { email: string }) => u.email === 'doctor@demo.local');
    await platform.query(
      'mutation G($u: ID!, $h: ID!) { grantMembership(userId: $u, hospitalId: $h, role: doctor) { id } }',
      { u: doctor.id, h: id },
      admin,
    );
    const token = await platform.login('doctor@demo.local');
    const answer = await eventually(async () => {
      const res = await platform.query('query Q($h: ID!) { patients(hospitalId: $h) { totalCount } }', { h: id }, token);
      return res.data?.patients ? res : undefined;
    }, 10_000, 'the new hospital to be routable');
    expect(answer.data!.patients.totalCount).toBe(0);
  });
});

describe('supergraph', () => {
  it('is composed from the committed subgraph schemas and up to date', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph());
  });
});
