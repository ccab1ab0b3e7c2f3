import 'reflect-metadata';
import { runUntilSignalled } from '@triage/config';
import { createLogger } from '@triage/logger';
import { loadDirectoryConfig } from './env.js';
import { createServer } from './server.js';

const config = loadDirectoryConfig();
const log = createLogger({ service: 'directory', level: config.logLevel });
await runUntilSignalled(await createServer(config, { log }), log);
