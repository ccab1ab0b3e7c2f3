import { runUntilSignalled } from '@triage/config';
import { createLogger } from '@triage/logger';
import { loadGatewayConfig } from './env.js';
import { createGateway } from './server.js';

const config = loadGatewayConfig();
const log = createLogger({ service: 'gateway', level: config.logLevel });
// The pod allows 45 s, 5 of them in the preStop pause: 35 s to close subscriptions and drain.
await runUntilSignalled(createGateway(config, { log }), log, { graceMs: 35_000 });
