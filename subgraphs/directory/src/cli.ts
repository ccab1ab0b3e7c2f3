import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { natsTopology } from '@triage/contracts';
import { createLogger } from '@triage/logger';
import { connectNats, openKv } from '@triage/nats';
import { migrate } from '@triage/service-common';
import { openDirectoryOrm } from './database.js';
import { loadDirectoryConfig } from './env.js';
import { publishHospitals } from './hospital/hospital.publisher.js';
import { seedDemoDirectory } from './seed.js';

const USAGE = `usage:
  node dist/cli.js migrate
  node dist/cli.js seed --hospitals '[{"slug":"north","name":"North Hospital","subgraphUrl":"http://127.0.0.1:4101/graphql"}]'

seed prints its result as one JSON object on stdout; logs go to stderr.`;

const HospitalList = z.array(z.object({ slug: z.string(), name: z.string(), subgraphUrl: z.string() }));

const config = loadDirectoryConfig();
// stdout carries the seed result only.
const log = createLogger({ service: 'directory-cli', level: config.logLevel, destination: process.stderr });

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { hospitals: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const command = positionals[0];

if (values.help || (command !== 'migrate' && command !== 'seed')) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}

let hospitals: z.infer<typeof HospitalList> = [];
if (command === 'seed') {
  try {
    hospitals = HospitalList.parse(JSON.parse(values.hospitals ?? '[]'));
  } catch (error) {
    console.error(`--hospitals must be a JSON array of {slug, name, subgraphUrl}: ${(error as Error).message}`);
    process.exit(2);
  }
}

const orm = await openDirectoryOrm(config.databaseUrl, { poolMax: 2 });
try {
  const applied = await migrate(orm);
  log.info({ migrations: applied }, applied.length ? 'applied migrations' : 'database is up to date');
  if (command === 'seed') {
    const result = await seedDemoDirectory(orm, { hospitals, password: config.demoPassword });
    log.info({ hospitals: result.hospitals.length, newUsers: result.users.length }, 'seeded the demo directory');
    await publishAfterSeed();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} catch (error) {
  log.error({ err: error }, `${command} failed`);
  process.exitCode = 1;
} finally {
  await orm.close();
}

/** A running directory republishes on start, so a NATS outage here is a warning, not a failure. */
async function publishAfterSeed(): Promise<void> {
  try {
    const nc = await connectNats({ url: config.nats.url, name: 'directory-cli', connectTimeoutMs: 5_000 });
    try {
      await publishHospitals(orm, await openKv(nc, natsTopology(config.nats.namespace).buckets.directory));
      log.info('published the hospital list');
    } finally {
      await nc.drain();
    }
  } catch (error) {
    log.warn({ err: error }, 'could not publish the hospital list to NATS');
  }
}
