import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { natsTopology, type NatsTopology } from '@triage/contracts';
import { createLogger } from '@triage/logger';
import { connectNats, ensureStreams } from '@triage/nats';
import { migrate, type Orm } from './database.js';

/** What a service that consumes JetStream events into its own database sets up before it runs. */
export interface ConsumerServiceCli {
  /** The service's name (`subgraph-triage`): the CLI logs and connects to NATS as `<service>-cli`. */
  service: string;
  /** What `consumers` creates, for the usage text ("the durable consumers"). */
  consumers: string;
  /** Opens the service's database (reads DATABASE_URL). */
  database(): Promise<Orm>;
  /** The NATS settings from the environment. */
  nats(): { NATS_URL: string; NATS_NAMESPACE?: string; NATS_MAX_ACK_PENDING: number; NATS_RETRY_DELAY_MS: number };
  ensureConsumers(jsm: JetStreamManager, settings: { topology: NatsTopology; maxAckPending: number; retryDelayMs: number }): Promise<void>;
}

/**
 * `cli migrate` applies the pending database migrations; `cli consumers` creates or updates the NATS
 * streams and the service's durable consumers. Both are what an init container or a deploy job
 * runs before the service starts (the service also does both itself at start).
 */
export async function runConsumerServiceCli(cli: ConsumerServiceCli, argv = process.argv.slice(2)): Promise<void> {
  const log = createLogger({ service: `${cli.service}-cli`, level: process.env.LOG_LEVEL === 'silent' ? 'silent' : 'info' });
  const [command] = argv;
  if (command === 'migrate') {
    const orm = await cli.database();
    try {
      const applied = await migrate(orm);
      log.info({ migrations: applied }, applied.length ? 'applied migrations' : 'database is up to date');
    } finally {
      await orm.close();
    }
  } else if (command === 'consumers') {
    const env = cli.nats();
    const nc = await connectNats({ url: env.NATS_URL, name: `${cli.service}-cli`, log });
    try {
      const topology = natsTopology(env.NATS_NAMESPACE);
      await ensureStreams(nc, topology);
      await cli.ensureConsumers(await jetstreamManager(nc), {
        topology,
        maxAckPending: env.NATS_MAX_ACK_PENDING,
        retryDelayMs: env.NATS_RETRY_DELAY_MS,
      });
      log.info({ namespace: env.NATS_NAMESPACE }, `streams and ${cli.consumers} are in place`);
    } finally {
      await nc.drain();
    }
  } else {
    console.error(`usage: cli <command>
  migrate     apply pending database migrations (DATABASE_URL)
  consumers   create or update the NATS streams and ${cli.consumers} (NATS_URL, NATS_NAMESPACE)`);
    process.exit(command ? 1 : 0);
  }
}
