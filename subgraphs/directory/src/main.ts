import 'reflect-metadata';
import { createLogger } from '@triage/logger';
import { loadDirectoryConfig } from './env.js';
import { createServer } from './server.js';

const config = loadDirectoryConfig();
const log = createLogger({ service: 'directory', level: config.logLevel });
const server = await createServer(config, { log });
try {
  await server.start();
} catch (error) {
  log.fatal({ err: error }, 'directory failed to start');
  await server.stop().catch(() => undefined);
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  const force = setTimeout(() => {
    log.error('graceful stop timed out');
    process.exit(1);
  }, 15_000);
  force.unref();
  try {
    await server.stop();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'error while stopping');
    process.exit(1);
  }
}
// Apollo Server installs its own signal handlers that stop only Apollo and then re-raise the
// signal; they race this shutdown (which also drains NATS and closes the database), so drop them.
process.removeAllListeners('SIGTERM');
process.removeAllListeners('SIGINT');
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
