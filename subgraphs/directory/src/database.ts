import { createOrm, ensureDatabase, type Orm } from '@triage/service-common';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

export type { Orm };

/**
 * Opens the directory database, creating it first when the server allows (handy with the embedded
 * PostgreSQL of `npm start`); names ensureDatabase cannot create are assumed to exist.
 */
export async function openDirectoryOrm(url: string, options: { poolMax?: number } = {}): Promise<Orm> {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (/^[a-z_][a-z0-9_]{0,62}$/.test(database)) await ensureDatabase(url, database);
  const orm = await createOrm({ clientUrl: url, entities, migrations, poolMax: options.poolMax });
  // The migrator would print progress to stdout (the CLI's result channel); callers log what migrate() returns.
  orm.config.get('migrations').silent = true;
  return orm;
}
