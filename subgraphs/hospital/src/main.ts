import 'reflect-metadata';
import { loadConfig } from './env.js';
import { createServer } from './server.js';

const config = loadConfig();
const server = await createServer(config);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.log.info({ signal }, 'shutting down');
  try {
    await server.stop();
    process.exit(0);
  } catch (error) {
    server.log.error({ err: error }, 'unclean shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await server.start();
} catch (error) {
  server.log.fatal({ err: error }, 'failed to start');
  await server.stop().catch(() => undefined);
  process.exit(1);
}
