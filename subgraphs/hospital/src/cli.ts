import 'reflect-metadata';
import { envFields, loadEnvOrExit, z } from '@triage/config';
import { createLogger } from '@triage/logger';
import { migrate } from '@triage/service-common';
import { createHospitalOrm, ensureHospitalDatabase } from './database.js';

const USAGE = `usage: cli <command>
  migrate   create the database if missing (and allowed), then apply pending migrations
  pending   list migrations not applied yet (exit 2 when there are some)`;

// Only what the database commands need, so they run without auth or NATS settings.
const env = loadEnvOrExit(z.object({ DATABASE_URL: envFields.url(), LOG_LEVEL: envFields.logLevel() }));
const log = createLogger({ service: 'subgraph-hospital-cli', level: env.LOG_LEVEL });
const command = process.argv[2];

async function main(): Promise<number> {
  switch (command) {
    case 'migrate': {
      await ensureHospitalDatabase(env.DATABASE_URL, log);
      const orm = await createHospitalOrm(env.DATABASE_URL, { log });
      try {
        const applied = await migrate(orm);
        log.info({ applied }, applied.length ? 'migrations applied' : 'database is up to date');
      } finally {
        await orm.close();
      }
      return 0;
    }
    case 'pending': {
      const orm = await createHospitalOrm(env.DATABASE_URL, { log });
      try {
        const pending = (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
        console.log(pending.length ? pending.join('\n') : 'no pending migrations');
        return pending.length ? 2 : 0;
      } finally {
        await orm.close();
      }
    }
    default:
      console.error(USAGE);
      return 64;
  }
}

process.exit(await main());
