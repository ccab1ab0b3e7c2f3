import { runUntilSignalled } from '@triage/config';
import { createLogger } from '@triage/logger';
import { loadGatewayConfig } from './env.js';
import { createGateway } from './server.js';

const config = loadGatewayConfig();
const log = createLogger({ service: 'gateway', level: config.logLevel });
await runUntilSignalled(createGateway(config, { log }), log);
