import 'reflect-metadata';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadEnvOrExit } from '@triage/config';
import { natsTopology } from '@triage/contracts';
import { createLogger } from '@triage/logger';
import { connectNats, ensureStreams } from '@triage/nats';
import { migrate } from '@triage/service-common';
import { envSchema } from './env.js';
import { ensureResearchConsumers } from './events/research-consumer.js';
import { createResearchOrm } from './orm.js';

const USAGE = `usage: cli <command>
  migrate     apply pending database migrations (DATABASE_URL)
  consumers   create or update the NATS streams and the durable consumer (NATS_URL, NATS_NAMESPACE)`;

const log = createLogger({ service: 'subgraph-research-cli', level: process.env.LOG_LEVEL === 'silent' ? 'silent' : 'info' });
const command = process.argv[2];

if (command === 'migrate') {
  const env = loadEnvOrExit(envSchema.pick({ DATABASE_URL: true }));
  const orm = await createResearchOrm(env.DATABASE_URL);
  try {
    const applied = await migrate(orm);
    log.info({ migrations: applied }, applied.length ? 'applied migrations' : 'database is up to date');
  } finally {
    await orm.close();
  }
} else if (command === 'consumers') {
  const env = loadEnvOrExit(envSchema.pick({ NATS_URL: true, NATS_NAMESPACE: true, NATS_MAX_ACK_PENDING: true, NATS_RETRY_DELAY_MS: true }));
  const nc = await connectNats({ url: env.NATS_URL, name: 'subgraph-research-cli', log });
  try {
    const topology = natsTopology(env.NATS_NAMESPACE);
    await ensureStreams(nc, topology);
    await ensureResearchConsumers(await jetstreamManager(nc), {
      topology,
      maxAckPending: env.NATS_MAX_ACK_PENDING,
      retryDelayMs: env.NATS_RETRY_DELAY_MS,
    });
    log.info({ namespace: env.NATS_NAMESPACE }, 'streams and consumer are in place');
  } finally {
    await nc.drain();
  }
} else {
  console.error(USAGE);
  process.exit(command ? 1 : 0);
}
