import pg from 'pg';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';

/** Returns `baseUrl` with its database name replaced. */
export function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const SAFE_DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates a database if it does not exist, using the server of `serverUrl`. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  if (!SAFE_DB_NAME.test(database)) throw new Error(`Invalid database name "${database}"`);
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
  } catch (error) {
    // Two processes may race to create the same database; the loser sees 42P04 (duplicate).
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  if (!SAFE_DB_NAME.test(database)) throw new Error(`Invalid database name "${database}"`);
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface OrmSettings {
  clientUrl: string;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
  debug?: boolean;
  poolMax?: number;
  /** Keep migration progress off stdout (CLIs that print JSON there). */
  silentMigrations?: boolean;
  /** Where MikroORM's own log lines go; defaults to stderr so stdout stays clean. */
  logger?: (message: string) => void;
}

/**
 * MikroORM for one service database. Entities are listed explicitly and migrations are committed
 * classes (no file discovery), so the same code runs from sources under Vitest and from dist/.
 */
export async function createOrm({
  clientUrl,
  entities,
  migrations,
  debug = false,
  poolMax = 10,
  silentMigrations = true,
  logger = (message) => process.stderr.write(`${message}\n`),
}: OrmSettings) {
  return MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false, silent: silentMigrations },
    logger,
    allowGlobalContext: false,
    debug,
    pool: { min: 0, max: poolMax },
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
  });
}

export type Orm = Awaited<ReturnType<typeof createOrm>>;

/** Applies committed migrations; never generates or drops schema at start-up. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** SQL the entities would need beyond the migrations; empty when migrations and entities agree. */
export async function pendingSchemaDiff(orm: Orm): Promise<string> {
  return (await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).trim();
}
