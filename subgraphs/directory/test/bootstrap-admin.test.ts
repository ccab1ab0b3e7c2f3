import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { migrate, type Orm } from '@triage/service-common';
import { createTestDatabase, dropTestDatabase, TEST_NATS_URL, uniqueName } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDirectoryOrm } from '../src/database.js';
import { User } from '../src/user/user.entity.js';
import { UserService } from '../src/user/user.service.js';
import { verifyPassword } from '../src/user/password.js';

const PASSWORD = 'correct horse battery staple';

describe('cli create-admin: the first administrator of a production directory', () => {
  const database = uniqueName('diradmin');
  let databaseUrl: string;
  let orm: Orm;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase(database);
    orm = await openDirectoryOrm(databaseUrl);
    await migrate(orm);
  });
  afterAll(async () => {
    await orm?.close();
    await dropTestDatabase(database);
  });

  function createAdmin(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'create-admin', ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, DATABASE_URL: databaseUrl, NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: database, LOG_LEVEL: 'info' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(stdin);
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  const findUser = (email: string) => orm.em.fork().findOneOrFail(User, { email });

  it('creates an admin account from the password on stdin, and never prints the password', async () => {
    const run = await createAdmin(['--email', 'Ops@Example.org', '--name', 'Operations'], `${PASSWORD}\n`);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { outcome: string; userId: string; email: string };
    expect(printed).toMatchObject({ outcome: 'created', email: 'ops@example.org' });
    const user = await findUser('ops@example.org');
    expect(user.id).toBe(printed.userId);
    expect(user.roles).toEqual(['admin']);
    expect(await verifyPassword(user.passwordHash, PASSWORD)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  }, 60_000);

  it('running it again changes nothing', async () => {
    const run = await createAdmin(['--email', 'ops@example.org', '--name', 'Operations'], 'another password entirely\n');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'unchanged' });
    expect(await verifyPassword((await findUser('ops@example.org')).passwordHash, PASSWORD)).toBe(true);
  }, 60_000);

  it('gives an existing account the admin role, keeping its other roles and its password', async () => {
    await new UserService(orm.em.fork()).create({ email: 'lead@example.org', displayName: 'Lead', password: 'lead password 1', roles: ['researcher'] });
    const run = await createAdmin(['--email', 'lead@example.org', '--name', 'Lead'], 'ignored password\n');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'promoted' });
    const user = await findUser('lead@example.org');
    expect(user.roles.sort()).toEqual(['admin', 'researcher']);
    expect(await verifyPassword(user.passwordHash, 'lead password 1')).toBe(true);
  }, 60_000);

  it('refuses a short password, a missing email and a bad email with clear errors', async () => {
    const short = await createAdmin(['--email', 'x@example.org', '--name', 'X'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 8 characters/);
    const missing = await createAdmin(['--name', 'X'], `${PASSWORD}\n`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--email and --name/);
    const bad = await createAdmin(['--email', 'not-an-email', '--name', 'X'], `${PASSWORD}\n`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/email/i);
    expect(await orm.em.fork().count(User, { email: 'x@example.org' })).toBe(0);
  }, 60_000);
});
