import 'reflect-metadata';
import { loadEnvOrExit } from '@triage/config';
import { runConsumerServiceCli } from '@triage/service-common';
import { envSchema } from './env.js';
import { ensureResearchConsumers } from './events/research-consumer.js';
import { createResearchOrm } from './orm.js';

await runConsumerServiceCli({
  service: 'subgraph-research',
  consumers: 'the durable consumer',
  database: () => createResearchOrm(loadEnvOrExit(envSchema.pick({ DATABASE_URL: true })).DATABASE_URL),
  nats: () =>
    loadEnvOrExit(envSchema.pick({ NATS_URL: true, NATS_NAMESPACE: true, NATS_MAX_ACK_PENDING: true, NATS_RETRY_DELAY_MS: true })),
  ensureConsumers: ensureResearchConsumers,
});
