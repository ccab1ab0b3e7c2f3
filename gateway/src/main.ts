import { createLogger } from '@triage/logger';
import { loadGatewayConfig } from './env.js';
import { createGateway } from './server.js';

const config = loadGatewayConfig();
const log = createLogger({ service: 'gateway', level: config.logLevel });
const gateway = createGateway(config, { log });

await gateway.start();
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining and stopping');
    await gateway.stop();
    process.exit(0);
  });
}
