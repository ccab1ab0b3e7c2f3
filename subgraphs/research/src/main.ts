import 'reflect-metadata';
import { runUntilSignalled } from '@triage/config';
import { createLogger } from '@triage/logger';
import { loadConfigOrExit } from './env.js';
import { createServer, SERVICE_NAME } from './server.js';

const config = loadConfigOrExit();
const log = createLogger({ service: SERVICE_NAME, level: config.logLevel });
await runUntilSignalled(await createServer(config, { log }), log);
