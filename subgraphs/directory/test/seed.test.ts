import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { natsTopology } from '@triage/contracts';
import { connectNats, destroyNamespace, type NatsConnection } from '@triage/nats';
import { migrate, type Orm } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, TEST_NATS_URL, uniqueName } from '@triage/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryOrm } from '../src/database.js';
import { seedDemoDirectory, type SeedResult } from '../src/seed.js';
import { verifyPassword } from '../src/user/password.js';

const hospitals = [
  { slug: 'north', name: 'North General', subgraphUrl: 'http://127.0.0.1:4101/graphql' },
  { slug: 'south', name: 'South Clinic', subgraphUrl: 'http://127.0.0.1:4102/graphql' },
];

async function count(databaseUrl: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('seedDemoDirectory', () => {
  const database = uniqueName('dirseed');
  let databaseUrl: string;
  let orm: Orm;
  let first: SeedResult;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(database);
    orm = await openDirectoryOrm(databaseUrl);
    await migrate(orm);
    first = await seedDemoDirectory(orm, { hospitals });
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  it('creates the demo users with random readable passwords and one API key per hospital', async () => {
    expect(first.hospitals.map((h) => h.slug)).toEqual(['north', 'south']);
    expect(first.users.map((u) => u.email).sort()).toEqual(
      [
        'admin@demo.local',
        'researcher@demo.local',
        'doctor.north@demo.local',
        'tech.north@demo.local',
        'doctor.south@demo.local',
        'tech.south@demo.local',
        'doctor@demo.local',
      ].sort(),
    );
    const passwords = first.users.map((u) => u.password);
    expect(new Set(passwords).size).toBe(passwords.length);
    for (const password of passwords) expect(password.length).toBeGreaterThanOrEqual(16);

    const byEmail = new Map(first.users.map((u) => [u.email, u]));
    const north = first.hospitals[0]!;
    expect(byEmail.get('admin@demo.local')).toMatchObject({ roles: ['admin'], memberships: [] });
    expect(byEmail.get('researcher@demo.local')).toMatchObject({ roles: ['researcher'], memberships: [] });
    expect(byEmail.get('tech.north@demo.local')?.memberships).toEqual([{ hospitalId: north.id, hospitalSlug: 'north', role: 'technician' }]);
    expect(byEmail.get('doctor@demo.local')?.memberships.map((m) => `${m.hospitalSlug}:${m.role}`)).toEqual([
      'north:doctor',
      'south:doctor',
    ]);
    expect(first.apiKeys.map((k) => k.hospitalSlug)).toEqual(['north', 'south']);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ password_hash: string }>(
        "select password_hash from app_user where email = 'admin@demo.local'",
      );
      expect(await verifyPassword(rows[0]!.password_hash, byEmail.get('admin@demo.local')!.password)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('is idempotent: a second run creates nothing and follows changed hospital URLs', async () => {
    const counts = async () => ({
      hospitals: await count(databaseUrl, 'hospital'),
      users: await count(databaseUrl, 'app_user'),
      memberships: await count(databaseUrl, 'membership'),
      credentials: await count(databaseUrl, 'service_credential'),
    });
    const before = await counts();
    expect(before).toEqual({ hospitals: 2, users: 7, memberships: 6, credentials: 2 });

    const moved = hospitals.map((h) => (h.slug === 'south' ? { ...h, name: 'South Clinic (renamed)', subgraphUrl: 'http://127.0.0.1:4202/graphql' } : h));
    const second = await seedDemoDirectory(orm, { hospitals: moved, password: 'ignored-because-users-exist' });
    expect(second.users).toEqual([]);
    expect(second.apiKeys).toEqual([]);
    expect(second.hospitals).toEqual([first.hospitals[0], { ...first.hospitals[1], name: 'South Clinic (renamed)' }]);
    expect(await counts()).toEqual(before);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query("select subgraph_url from hospital where slug = 'south'");
      expect(rows[0].subgraph_url).toBe('http://127.0.0.1:4202/graphql');
    } finally {
      await client.end();
    }
  });

  it('adds the users, memberships and key of a hospital that joins later', async () => {
    const third = await seedDemoDirectory(orm, {
      hospitals: [...hospitals, { slug: 'west', name: 'West', subgraphUrl: 'http://127.0.0.1:4103/graphql' }],
      password: 'shared demo password',
    });
    expect(third.users.map((u) => u.email).sort()).toEqual(['doctor.west@demo.local', 'tech.west@demo.local']);
    expect(third.users.every((u) => u.password === 'shared demo password')).toBe(true);
    expect(third.apiKeys.map((k) => k.hospitalSlug)).toEqual(['west']);
    expect(await count(databaseUrl, 'membership')).toBe(6 + 3);
  });
});

describe('directory CLI', () => {
  const database = uniqueName('dircli');
  const namespace = uniqueName('dirclins');
  let databaseUrl: string;
  let nc: NatsConnection;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(database);
    nc = await connectNats({ url: TEST_NATS_URL, name: 'directory-cli-test' });
  });
  afterAll(async () => {
    await destroyNamespace(nc, natsTopology(namespace));
    await nc.drain();
    await dropTestDatabase(database);
  });

  function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: namespace,
        DEMO_PASSWORD: 'cli demo password',
        LOG_LEVEL: 'info',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('migrates, seeds, prints one JSON result on stdout and publishes the hospital list', async () => {
    expect((await runCli(['migrate'])).code).toBe(0);
    const seeded = await runCli(['seed', '--hospitals', JSON.stringify(hospitals)]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const result = JSON.parse(seeded.stdout) as SeedResult;
    expect(result.hospitals.map((h) => h.slug)).toEqual(['north', 'south']);
    expect(result.users.find((u) => u.email === 'admin@demo.local')?.password).toBe('cli demo password');

    const { openKv } = await import('@triage/nats');
    const { decodeEvent, DirectoryHospitalsV1 } = await import('@triage/contracts');
    const entry = await (await openKv(nc, natsTopology(namespace).buckets.directory)).get('hospitals');
    expect(decodeEvent(DirectoryHospitalsV1, entry!.value).hospitals.map((h) => h.slug)).toEqual(['north', 'south']);

    const again = await runCli(['seed', '--hospitals', JSON.stringify(hospitals)]);
    expect(JSON.parse(again.stdout)).toMatchObject({ users: [], apiKeys: [] });
  }, 60_000);

  it('rejects a malformed hospital list', async () => {
    const res = await runCli(['seed', '--hospitals', '{"not": "an array"}']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
  });
});
