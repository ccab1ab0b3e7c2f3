import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDatabase, databaseUrl } from '@triage/service-common';
import { connectNats } from '@triage/nats';
import { natsTopology } from '@triage/contracts';
import { ensureActiveModel } from '@triage/model';
import { DEMO_HOSPITALS, loadStackEnv, REPO_ROOT } from './env.js';
import { seedClinicalData } from './demo-data.js';
import { resolvePostgres } from './postgres.js';
import { hospitalSecrets } from './secrets.js';
import { runToCompletion, startService, stopServices, waitUntilReady, type ServiceProcess } from './processes.js';

const say = (line: string) => console.log(`${'stack'.padEnd(18)}| ${line}`);
const env = loadStackEnv();
const services: ServiceProcess[] = [];
let shuttingDown = false;

interface SeedResult {
  hospitals: { id: string; slug: string; name: string }[];
  users: { email: string; password: string; roles: string[]; memberships: { hospitalId: string; role: string }[] }[];
  apiKeys: { hospitalSlug: string; apiKey: string }[];
}

async function main(): Promise<void> {
  mkdirSync(env.DATA_DIR, { recursive: true });
  const postgres = await resolvePostgres(env, say);
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${signal}: stopping services`);
    await stopServices(services);
    await postgres.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const nc = await connectNats({ url: env.NATS_URL, name: 'stack-check', connectTimeoutMs: 3_000 });
    await nc.close();
    say(`NATS: using ${env.NATS_URL}`);
  } catch {
    say(`NATS does not answer at ${env.NATS_URL}. The platform needs NATS with JetStream. Start one with:`);
    say('  nats-server -js -sd .data/nats      (the single static binary from the NATS releases or your package manager)');
    say('  docker compose up -d nats            (from this repository)');
    say('or point NATS_URL at a running server, then run `npm start` again.');
    await postgres.stop();
    process.exit(1);
  }

  const host = env.HOST;
  const base = `http://${host}`;
  const issuer = `${base}:${env.DIRECTORY_PORT}`;
  const db = (name: string) => `${env.DB_PREFIX}_${name.replace(/-/g, '_')}`;
  const common = {
    NATS_URL: env.NATS_URL,
    NATS_NAMESPACE: env.NATS_NAMESPACE,
    LOG_LEVEL: env.LOG_LEVEL,
    HOST: host,
    AUTH_ISSUER: issuer,
    AUTH_JWKS_URL: `${issuer}/.well-known/jwks.json`,
    GRAPHQL_INTROSPECTION: String(env.GRAPHQL_INTROSPECTION),
  };
  const hospitalsWithPorts = DEMO_HOSPITALS.map((h, i) => ({
    ...h,
    port: env.HOSPITAL_BASE_PORT + i,
    subgraphUrl: `${base}:${env.HOSPITAL_BASE_PORT + i}/graphql`,
  }));

  for (const name of ['directory', 'triage', 'research', ...hospitalsWithPorts.map((h) => `hospital_${h.slug}`)]) {
    await ensureDatabase(postgres.serverUrl, db(name));
  }

  const secrets = hospitalSecrets(env.DATA_DIR, hospitalsWithPorts.map((h) => h.slug));
  const directoryEnv = {
    ...common,
    PORT: String(env.DIRECTORY_PORT),
    DATABASE_URL: databaseUrl(postgres.serverUrl, db('directory')),
    ISSUER_URL: issuer,
    ...(env.DEMO_PASSWORD ? { DEMO_PASSWORD: env.DEMO_PASSWORD } : {}),
  };
  const directoryDir = path.join(REPO_ROOT, 'subgraphs/directory');
  say('directory: applying migrations and seeding the demo hospitals and users');
  const seedOut = await runToCompletion(
    'dist/cli.js',
    ['seed', '--hospitals', JSON.stringify(hospitalsWithPorts.map(({ slug, name, subgraphUrl }) => ({ slug, name, subgraphUrl })))],
    directoryEnv,
    directoryDir,
  );
  const seed = JSON.parse(seedOut.trim().split('\n').pop()!) as SeedResult;

  const launch = async (name: string, dir: string, port: number, serviceEnv: Record<string, string>) => {
    const service = startService(name, 'dist/main.js', { ...common, PORT: String(port), ...serviceEnv }, path.join(REPO_ROOT, dir));
    services.push(service);
    void service.exited.then((code) => {
      if (!shuttingDown) say(`${name} exited with code ${code}`);
    });
    return { service, ready: `${base}:${port}/readyz` };
  };

  const started = [
    await launch('directory', 'subgraphs/directory', env.DIRECTORY_PORT, directoryEnv),
    await launch('triage', 'subgraphs/triage', env.TRIAGE_PORT, { DATABASE_URL: databaseUrl(postgres.serverUrl, db('triage')) }),
    await launch('research', 'subgraphs/research', env.RESEARCH_PORT, { DATABASE_URL: databaseUrl(postgres.serverUrl, db('research')) }),
    ...(await Promise.all(
      hospitalsWithPorts.map((h) => {
        const id = seed.hospitals.find((s) => s.slug === h.slug)?.id;
        if (!id) throw new Error(`the directory did not return hospital ${h.slug}`);
        return launch(`hospital:${h.slug}`, 'subgraphs/hospital', h.port, {
          HOSPITAL_ID: id,
          HOSPITAL_SLUG: h.slug,
          PUBLIC_GATEWAY_URL: `${base}:${env.GATEWAY_PORT}`,
          DEID_SECRET: secrets[h.slug]!.deidSecret,
          DATABASE_URL: databaseUrl(postgres.serverUrl, db(`hospital_${h.slug}`)),
        });
      }),
    )),
  ];
  for (const [i, s] of started.entries()) await waitUntilReady(services[i]!.name, s.ready, s.service);

  // The model registry: the committed model becomes the active one unless a newer one was published.
  try {
    const nc = await connectNats({ url: env.NATS_URL, name: 'stack-model' });
    const { record, published } = await ensureActiveModel(nc, natsTopology(env.NATS_NAMESPACE));
    say(published ? `model ${record.version} registered as the active model` : `active model: ${record.version}`);
    await nc.close();
  } catch (error) {
    say(`could not register the committed model (${(error as Error).message}); the worker waits for one`);
  }
  const worker = await launch('inference-worker', 'inference-worker', env.WORKER_PORT, {});
  await waitUntilReady('inference-worker', worker.ready, worker.service).catch((error) => say(String(error.message)));

  const gateway = await launch('gateway', 'gateway', env.GATEWAY_PORT, {
    DIRECTORY_URL: `${issuer}/graphql`,
    TRIAGE_URL: `${base}:${env.TRIAGE_PORT}/graphql`,
    RESEARCH_URL: `${base}:${env.RESEARCH_PORT}/graphql`,
    // The ops page polls the worker too (readiness, lag, DLQ, active model).
    WORKER_URLS: `${base}:${env.WORKER_PORT}`,
  });
  await waitUntilReady('gateway', gateway.ready, gateway.service);
  const gatewayUrl = `${base}:${env.GATEWAY_PORT}`;

  const credentialsFile = path.join(env.DATA_DIR, 'demo-credentials.json');
  if (seed.users.length > 0) {
    writeFileSync(credentialsFile, JSON.stringify(seed, null, 2), { mode: 0o600 });
    for (const { hospitalSlug, apiKey } of seed.apiKeys) {
      const hospital = seed.hospitals.find((h) => h.slug === hospitalSlug)!;
      const count = await seedClinicalData(gatewayUrl, hospital, apiKey);
      say(`seeded ${count} demo patients with studies at ${hospital.name}`);
    }
  }

  say('');
  say(`The platform is up. GraphQL gateway: ${gatewayUrl}/graphql`);
  say(`Web app: ${gatewayUrl}/  (administrators land on the operations page, ${gatewayUrl}/#/ops)`);
  if (seed.users.length > 0) {
    say('Demo users (printed once; also saved to .data/demo-credentials.json, readable by you only):');
    for (const u of seed.users) {
      const where = u.memberships.map((m) => `${m.role}@${seed.hospitals.find((h) => h.id === m.hospitalId)?.slug}`).join(', ');
      say(`  ${u.email.padEnd(28)} ${u.password}   ${[...u.roles, where].filter(Boolean).join(', ')}`);
    }
    for (const k of seed.apiKeys) say(`  integration API key for ${k.hospitalSlug}: ${k.apiKey}`);
  } else if (existsSync(credentialsFile)) {
    say(`Demo users were created on the first start; their passwords are in ${path.relative(REPO_ROOT, credentialsFile)}`);
  }
  if (env.FEED_RATE > 0) {
    const feeder = startService('feeder', 'dist/feed/main.js', { GATEWAY_URL: gatewayUrl, DATA_DIR: env.DATA_DIR }, path.join(REPO_ROOT, 'tools/stack'), [
      '--rate',
      String(env.FEED_RATE),
    ]);
    services.push(feeder);
    say(`demo feeder: uploading sample X-rays at ${env.FEED_RATE}/s (FEED_RATE=0 turns it off)`);
  }
  say('Press Ctrl+C to stop.');
}

main().catch(async (error) => {
  console.error(`stack failed to start: ${(error as Error).message}`);
  await stopServices(services);
  process.exit(1);
});
