import type { DefaultLogger, LoggerNamespace, LogContext } from '@mikro-orm/core';
import type { Logger } from '@triage/logger';
import { createOrm, ensureDatabase, type Orm } from '@triage/service-common';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

/** The hospital's own database: explicit entities, committed migrations. */
export async function createHospitalOrm(clientUrl: string, options: { log?: Logger } = {}): Promise<Orm> {
  const orm = await createOrm({ clientUrl, entities, migrations });
  if (options.log) routeOrmLogs(orm, options.log);
  return orm;
}

/**
 * Creates the database when the server allows it (development, the demo stack). Production roles
 * usually may not create databases; then the first connection reports a missing one.
 */
export async function ensureHospitalDatabase(url: string, log: Logger): Promise<void> {
  try {
    await ensureDatabase(url, decodeURIComponent(new URL(url).pathname.slice(1)));
  } catch (error) {
    log.warn({ err: error }, 'could not make sure the database exists');
  }
}

/**
 * Sends MikroORM's own messages (migrator, discovery, deprecations) to pino instead of plain
 * stdout. SQL is never forwarded: its parameters can carry names and MRNs.
 */
function routeOrmLogs(orm: Orm, log: Logger): void {
  const ormLogger = orm.config.getLogger() as DefaultLogger;
  ormLogger.log = (namespace: LoggerNamespace, message: string, context?: LogContext) => {
    if (namespace === 'query' || !ormLogger.isEnabled(namespace, context)) return;
    const level = context?.level === 'error' ? 'error' : context?.level === 'warning' ? 'warn' : 'info';
    log[level]({ orm: namespace }, message.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').trim());
  };
}
