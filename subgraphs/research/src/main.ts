import 'reflect-metadata';
import { createLogger } from '@triage/logger';
import { loadConfigOrExit } from './env.js';
import { createServer, SERVICE_NAME } from './server.js';

const config = loadConfigOrExit();
const log = createLogger({ service: SERVICE_NAME, level: config.logLevel });
const server = await createServer(config, { log });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting without draining');
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'draining before exit');
  try {
    await server.stop();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await server.start();
} catch (error) {
  log.fatal({ err: error }, 'failed to start');
  await server.stop().catch(() => undefined);
  process.exit(1);
}
