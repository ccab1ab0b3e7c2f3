import 'reflect-metadata';
import { runUntilSignalled } from '@triage/config';
import { loadConfig } from './env.js';
import { createServer } from './server.js';

const server = await createServer(loadConfig());
await runUntilSignalled(server, server.log);
