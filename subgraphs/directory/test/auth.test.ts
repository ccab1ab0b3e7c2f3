import { createTokenVerifier } from '@triage/auth';
import { tamperToken } from '@triage/testing';
import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDirectory, type SeedResult } from '../src/seed.js';
import { errorCode, startTestDirectory, TEST_AUDIENCE, TEST_ISSUER, type TestDirectory } from './harness.js';

const PASSWORD = 'correct horse battery staple';

describe('directory login, tokens and service credentials', () => {
  let dir: TestDirectory;
  let seed: SeedResult;
  let adminToken: string;
  let doctorToken: string;
  let north: { id: string; slug: string };
  let south: { id: string; slug: string };

  beforeAll(async () => {
    dir = await startTestDirectory();
    seed = await seedDemoDirectory(dir.server.orm, {
      hospitals: [
        { slug: 'north', name: 'North General', subgraphUrl: 'http://127.0.0.1:4101/graphql' },
        { slug: 'south', name: 'South Clinic', subgraphUrl: 'http://127.0.0.1:4102/graphql' },
      ],
      password: PASSWORD,
    });
    north = seed.hospitals[0]!;
    south = seed.hospitals[1]!;
    adminToken = await dir.login('admin@demo.local', PASSWORD);
    doctorToken = await dir.login('doctor.north@demo.local', PASSWORD);
  });
  afterAll(async () => {
    await dir?.close();
  });

  /** Verifies like any other service would: the issuer's JWKS fetched over HTTP. */
  function httpVerifier() {
    return createTokenVerifier([{ issuer: TEST_ISSUER, jwksUrl: `${dir.baseUrl}/.well-known/jwks.json`, audience: TEST_AUDIENCE }]);
  }

  it('logs in and issues an ES256 token that verifies against the HTTP JWKS', async () => {
    const res = await dir.call<{ login: { token: string; expiresAt: string; user: { email: string; roles: string[]; memberships: { role: string; hospital: { id: string; name: string } }[] } } }>(
      `mutation { login(email: "Doctor.North@Demo.Local", password: "${PASSWORD}") {
        token expiresAt user { email roles memberships { role hospital { id name } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const { token, expiresAt, user } = res.data!.login;
    expect(user).toEqual({
      email: 'doctor.north@demo.local',
      roles: [],
      memberships: [{ role: 'doctor', hospital: { id: north.id, name: 'North General' } }],
    });
    const expiresInSeconds = (Date.parse(expiresAt) - Date.now()) / 1000;
    expect(expiresInSeconds).toBeGreaterThan(3500);
    expect(expiresInSeconds).toBeLessThanOrEqual(3600);

    const principal = await httpVerifier().verify(token);
    expect(principal).toMatchObject({
      kind: 'user',
      issuer: TEST_ISSUER,
      roles: [],
      memberships: [{ hospitalId: north.id, role: 'doctor' }],
    });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('ES256');
    const jwks = (await (await fetch(`${dir.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
  });

  it('serves an OpenID discovery document pointing at its JWKS', async () => {
    const doc = await (await fetch(`${dir.baseUrl}/.well-known/openid-configuration`)).json();
    expect(doc).toEqual({
      issuer: TEST_ISSUER,
      jwks_uri: `${TEST_ISSUER}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('puts platform roles and every membership in the token', async () => {
    const verifier = httpVerifier();
    expect((await verifier.verify(adminToken)).roles).toEqual(['admin']);
    const allHospitals = await verifier.verify(await dir.login('doctor@demo.local', PASSWORD));
    expect(allHospitals.memberships).toEqual(
      expect.arrayContaining([
        { hospitalId: north.id, role: 'doctor' },
        { hospitalId: south.id, role: 'doctor' },
      ]),
    );
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const login = 'mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }';
    const wrongPassword = await dir.call(login, { e: 'doctor.north@demo.local', p: 'not the password' });
    const unknownUser = await dir.call(login, { e: 'nobody@demo.local', p: PASSWORD });
    for (const res of [wrongPassword, unknownUser]) {
      expect(res.data).toBeNull();
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0]?.message).toBe('Invalid email or password');
    }
  });

  it('takes about as long for an unknown email as for a wrong password', async () => {
    const login = 'mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }';
    const time = async (email: string) => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) await dir.call(login, { e: email, p: 'not the password' });
      return performance.now() - started;
    };
    const known = await time('doctor.north@demo.local');
    const unknown = await time('nobody@demo.local');
    // Without the dummy hash an unknown email answers in a few ms, an order of magnitude faster.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  it('stores passwords only as argon2id hashes', async () => {
    const client = new pg.Client({ connectionString: dir.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ password_hash: string }>(
        'select password_hash from app_user where email = $1',
        ['doctor.north@demo.local'],
      );
      expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
      expect(rows[0]!.password_hash).not.toContain(PASSWORD);
    } finally {
      await client.end();
    }
  });

  it('answers me with the caller and refuses anonymous and tampered callers', async () => {
    const me = await dir.call<{ me: { email: string; memberships: { role: string; hospital: { slug: string } }[] } }>(
      '{ me { email memberships { role hospital { slug } } } }',
      {},
      doctorToken,
    );
    expect(me.data?.me).toEqual({ email: 'doctor.north@demo.local', memberships: [{ role: 'doctor', hospital: { slug: 'north' } }] });

    expect(errorCode(await dir.call('{ me { email } }'))).toBe('UNAUTHENTICATED');
    expect(errorCode(await dir.call('{ hospitals { id } }'))).toBe('UNAUTHENTICATED');
    const tampered = await dir.call('{ me { email } }', {}, tamperToken(doctorToken, { roles: ['admin'] }));
    expect(tampered.status).toBe(401);
    expect(errorCode(tampered)).toBe('UNAUTHENTICATED');
  });

  it('lists hospitals to any caller but shows subgraph URLs to admins only', async () => {
    const query = '{ hospitals { slug name subgraphUrl } }';
    const asAdmin = await dir.call<{ hospitals: { slug: string; subgraphUrl: string | null }[] }>(query, {}, adminToken);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data?.hospitals).toEqual([
      { slug: 'north', name: 'North General', subgraphUrl: 'http://127.0.0.1:4101/graphql' },
      { slug: 'south', name: 'South Clinic', subgraphUrl: 'http://127.0.0.1:4102/graphql' },
    ]);
    const asDoctor = await dir.call<{ hospitals: { slug: string; subgraphUrl: string | null }[] }>(query, {}, doctorToken);
    expect(asDoctor.data?.hospitals.map((h) => h.subgraphUrl)).toEqual([null, null]);
    expect(errorCode(asDoctor)).toBe('FORBIDDEN');
    const names = await dir.call<{ hospitals: { name: string }[] }>('{ hospitals { name } }', {}, doctorToken);
    expect(names.errors).toBeUndefined();
    expect(names.data?.hospitals.map((h) => h.name)).toEqual(['North General', 'South Clinic']);
  });

  it('resolves Hospital references for the gateway', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Hospital { id name } } }`;
    const representations = [
      { __typename: 'Hospital', id: south.id },
      { __typename: 'Hospital', id: '00000000-0000-4000-8000-000000000000' },
      { __typename: 'Hospital', id: north.id },
    ];
    const res = await dir.call<{ _entities: ({ id: string; name: string } | null)[] }>(query, { r: representations }, doctorToken);
    expect(res.data?._entities).toEqual([{ id: south.id, name: 'South Clinic' }, null, { id: north.id, name: 'North General' }]);
    expect(errorCode(await dir.call(query, { r: representations }))).toBe('UNAUTHENTICATED');
  });

  it('refuses every admin operation to a doctor', async () => {
    const operations: [string, Record<string, unknown>][] = [
      ['{ users { id } }', {}],
      ['{ serviceCredentials { id } }', {}],
      ['mutation { createHospital(input: { slug: "east", name: "East", subgraphUrl: "http://127.0.0.1:4103/graphql" }) { id } }', {}],
      ['mutation($id: ID!) { updateHospital(id: $id, input: { name: "Renamed" }) { id } }', { id: north.id }],
      ['mutation { createUser(input: { email: "x@demo.local", displayName: "X", password: "long enough pw", roles: [admin] }) { id } }', {}],
      ['mutation($h: ID!) { grantMembership(userId: "00000000-0000-4000-8000-000000000000", hospitalId: $h, role: doctor) { id } }', { h: north.id }],
      ['mutation($h: ID!) { revokeMembership(userId: "00000000-0000-4000-8000-000000000000", hospitalId: $h, role: doctor) { id } }', { h: north.id }],
      ['mutation($h: ID!) { createServiceCredential(hospitalId: $h, name: "pacs") { apiKey } }', { h: north.id }],
      ['mutation { revokeServiceCredential(id: "00000000-0000-4000-8000-000000000000") { id } }', {}],
      ['mutation { setUserDisabled(id: "00000000-0000-4000-8000-000000000000", disabled: true) { id } }', {}],
    ];
    for (const [query, variables] of operations) {
      const res = await dir.call(query, variables, doctorToken);
      expect({ query, code: errorCode(res) }).toEqual({ query, code: 'FORBIDDEN' });
    }
    const hospitals = await dir.call<{ hospitals: { name: string }[] }>('{ hospitals { name } }', {}, adminToken);
    expect(hospitals.data?.hospitals.map((h) => h.name)).not.toContain('Renamed');
  });

  it('exchanges a service credential for a token scoped to its hospital, until it is revoked', async () => {
    const created = await dir.call<{ createServiceCredential: { apiKey: string; credential: { id: string; name: string; hospital: { slug: string } } } }>(
      'mutation($h: ID!) { createServiceCredential(hospitalId: $h, name: "PACS bridge") { apiKey credential { id name hospital { slug } } } }',
      { h: south.id },
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    const { apiKey, credential } = created.data!.createServiceCredential;
    expect(credential).toMatchObject({ name: 'PACS bridge', hospital: { slug: 'south' } });

    const exchange = 'mutation($k: String!) { exchangeApiKey(apiKey: $k) { token expiresAt user { id } } }';
    const exchanged = await dir.call<{ exchangeApiKey: { token: string; user: null } }>(exchange, { k: apiKey });
    expect(exchanged.errors).toBeUndefined();
    expect(exchanged.data!.exchangeApiKey.user).toBeNull();
    const principal = await httpVerifier().verify(exchanged.data!.exchangeApiKey.token);
    expect(principal).toMatchObject({
      kind: 'service',
      subject: `svc:${credential.id}`,
      roles: [],
      memberships: [{ hospitalId: south.id, role: 'integration' }],
    });

    // A service token reads the directory but administers nothing.
    const serviceToken = exchanged.data!.exchangeApiKey.token;
    expect(errorCode(await dir.call('{ users { id } }', {}, serviceToken))).toBe('FORBIDDEN');
    expect((await dir.call<{ me: null }>('{ me { id } }', {}, serviceToken)).data?.me).toBeNull();

    const listed = await dir.call<{ serviceCredentials: { id: string; lastUsedAt: string | null }[] }>(
      'query($h: ID) { serviceCredentials(hospitalId: $h) { id lastUsedAt } }',
      { h: south.id },
      adminToken,
    );
    expect(listed.data?.serviceCredentials.find((c) => c.id === credential.id)?.lastUsedAt).toBeTruthy();

    const revoked = await dir.call<{ revokeServiceCredential: { revokedAt: string | null } }>(
      'mutation($id: ID!) { revokeServiceCredential(id: $id) { revokedAt } }',
      { id: credential.id },
      adminToken,
    );
    expect(revoked.data?.revokeServiceCredential.revokedAt).toBeTruthy();
    const refused = await dir.call(exchange, { k: apiKey });
    expect(errorCode(refused)).toBe('UNAUTHENTICATED');
    expect(errorCode(await dir.call(exchange, { k: 'tri_0000000000000000_not-a-real-key' }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await dir.call(exchange, { k: apiKey.slice(0, -1) + (apiKey.endsWith('A') ? 'B' : 'A') }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('lets the seeded demo API keys exchange', async () => {
    expect(seed.apiKeys.map((k) => k.hospitalSlug)).toEqual(['north', 'south']);
    const res = await dir.call<{ exchangeApiKey: { token: string } }>(
      'mutation($k: String!) { exchangeApiKey(apiKey: $k) { token } }',
      { k: seed.apiKeys[0]!.apiKey },
    );
    expect((await httpVerifier().verify(res.data!.exchangeApiKey.token)).memberships).toEqual([
      { hospitalId: north.id, role: 'integration' },
    ]);
  });

  it('lets an admin create users, grant and revoke memberships and disable accounts', async () => {
    const created = await dir.call<{ createUser: { id: string; email: string; roles: string[] } }>(
      'mutation { createUser(input: { email: " New.Tech@Demo.Local ", displayName: "New Tech", password: "another long password" }) { id email roles } }',
      {},
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    const user = created.data!.createUser;
    expect(user).toMatchObject({ email: 'new.tech@demo.local', roles: [] });

    const duplicate = await dir.call(
      'mutation { createUser(input: { email: "new.tech@demo.local", displayName: "Again", password: "another long password" }) { id } }',
      {},
      adminToken,
    );
    expect(errorCode(duplicate)).toBe('CONFLICT');
    const shortPassword = await dir.call(
      'mutation { createUser(input: { email: "short@demo.local", displayName: "Short", password: "short" }) { id } }',
      {},
      adminToken,
    );
    expect(errorCode(shortPassword)).toBe('BAD_USER_INPUT');

    const grant = 'mutation($u: ID!, $h: ID!) { grantMembership(userId: $u, hospitalId: $h, role: technician) { memberships { role hospital { slug } } } }';
    await dir.call(grant, { u: user.id, h: north.id }, adminToken);
    const granted = await dir.call<{ grantMembership: { memberships: unknown[] } }>(grant, { u: user.id, h: north.id }, adminToken);
    expect(granted.data?.grantMembership.memberships).toEqual([{ role: 'technician', hospital: { slug: 'north' } }]);
    const token = await dir.login('new.tech@demo.local', 'another long password');
    expect((await httpVerifier().verify(token)).memberships).toEqual([{ hospitalId: north.id, role: 'technician' }]);

    const revoked = await dir.call<{ revokeMembership: { memberships: unknown[] } }>(
      'mutation($u: ID!, $h: ID!) { revokeMembership(userId: $u, hospitalId: $h, role: technician) { memberships { role } } }',
      { u: user.id, h: north.id },
      adminToken,
    );
    expect(revoked.data?.revokeMembership.memberships).toEqual([]);

    await dir.call('mutation($id: ID!) { setUserDisabled(id: $id, disabled: true) { disabledAt } }', { id: user.id }, adminToken);
    const disabledLogin = await dir.call('mutation { login(email: "new.tech@demo.local", password: "another long password") { token } }');
    expect(errorCode(disabledLogin)).toBe('UNAUTHENTICATED');

    const users = await dir.call<{ users: { email: string }[] }>('{ users { email } }', {}, adminToken);
    expect(users.data?.users.map((u) => u.email)).toContain('new.tech@demo.local');
  });
});
