import { Writable } from 'node:stream';
import { createTokenVerifier } from '@triage/auth';
import { createLogger } from '@triage/logger';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDirectory } from '../src/seed.js';
import { createServer, type DirectoryServer } from '../src/server.js';
import { startTestDirectory, TEST_AUDIENCE, TEST_ISSUER, type TestDirectory } from './harness.js';

const PASSWORD = 'replica test password';

describe('signing keys', () => {
  let first: TestDirectory;
  let replica: DirectoryServer;
  let replicaUrl: string;
  const logs: string[] = [];

  beforeAll(async () => {
    // The first replica generates the key, logging somewhere we can read.
    const log = createLogger({
      service: 'directory',
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    });
    first = await startTestDirectory({}, { log });
    await seedDemoDirectory(first.server.orm, { hospitals: [], password: PASSWORD });
    // A second replica on the same database.
    replica = await createServer(first.config);
    replicaUrl = await replica.start();
  });
  afterAll(async () => {
    await replica?.stop();
    await first?.close();
  });

  it('are shared by replicas through the database', async () => {
    const jwks = async (base: string) => (await fetch(`${base}/.well-known/jwks.json`)).json();
    expect(await jwks(replicaUrl)).toEqual(await jwks(first.baseUrl));

    const token = await first.login('admin@demo.local', PASSWORD);
    const viaReplica = createTokenVerifier([{ issuer: TEST_ISSUER, jwksUrl: `${replicaUrl}/.well-known/jwks.json`, audience: TEST_AUDIENCE }]);
    expect((await viaReplica.verify(token)).roles).toEqual(['admin']);
    const me = await fetch(`${replicaUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { email } }' }),
    });
    expect(await me.json()).toEqual({ data: { me: { email: 'admin@demo.local' } } });
  });

  it('keep the private key out of the JWKS and the logs', async () => {
    const client = new pg.Client({ connectionString: first.databaseUrl });
    await client.connect();
    let privateD: string;
    try {
      const { rows } = await client.query<{ private_jwk: { d: string } }>('select private_jwk from signing_key');
      expect(rows).toHaveLength(1);
      privateD = rows[0]!.private_jwk.d;
    } finally {
      await client.end();
    }
    expect(privateD).toBeTruthy();
    const jwks = await (await fetch(`${replicaUrl}/.well-known/jwks.json`)).text();
    expect(jwks).not.toContain(privateD);
    expect(logs.join('')).toContain('generated the first token signing key');
    expect(logs.join('')).not.toContain(privateD);
  });
});
