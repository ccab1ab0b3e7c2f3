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
import { bootstrapAdmin } from './user/bootstrap-admin.js';
import { MIN_PASSWORD_LENGTH } from './user/password.js';

const USAGE = `usage:
  node dist/cli.js migrate
  node dist/cli.js seed --hospitals '[{"slug":"north","name":"North Hospital","subgraphUrl":"http://127.0.0.1:4101/graphql"}]'
  printf '%s\\n' "$PASSWORD" | node dist/cli.js create-admin --email ops@example.org --name "Operations"

seed prints its result as one JSON object on stdout; logs go to stderr.
create-admin creates the first administrator of a production directory (or gives an existing account
the admin role); it reads the new password from the first line of stdin (at least ${MIN_PASSWORD_LENGTH} characters),
so it never appears in the process list or the shell history. It prints {"outcome","userId","email"}.`;

const HospitalList = z.array(z.object({ slug: z.string(), name: z.string(), subgraphUrl: z.string() }));

const config = loadDirectoryConfig();
// stdout carries the seed result only.
const log = createLogger({ service: 'directory-cli', level: config.logLevel, destination: process.stderr });

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    hospitals: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const command = positionals[0];
const COMMANDS = ['migrate', 'seed', 'create-admin'];

if (values.help || !COMMANDS.includes(command ?? '')) {
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

let adminPassword = '';
if (command === 'create-admin') {
  if (!values.email || !values.name) {
    console.error('create-admin needs --email and --name');
    process.exit(2);
  }
  adminPassword = await firstLineOfStdin();
  if (adminPassword.length < MIN_PASSWORD_LENGTH) {
    console.error(`create-admin reads the password from stdin: give one of at least ${MIN_PASSWORD_LENGTH} characters`);
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
  if (command === 'create-admin') {
    const { outcome, user } = await bootstrapAdmin(orm, { email: values.email!, displayName: values.name!, password: adminPassword });
    log.info({ outcome, userId: user.id }, outcome === 'created' ? 'created an administrator' : outcome === 'promoted' ? 'gave an existing account the admin role' : 'the account is already an administrator');
    process.stdout.write(`${JSON.stringify({ outcome, userId: user.id, email: user.email })}\n`);
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

/** The first line of stdin (a pipe or a terminal), without its line ending. */
async function firstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password for the new administrator: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
