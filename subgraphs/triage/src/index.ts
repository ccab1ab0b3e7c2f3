/** What other code (the launcher, platform tests) may reuse from this subgraph. */
export { createServer, type TriageServer, type TriageServerDeps } from './server.js';
export { envSchema, parseConfig, loadConfigOrExit, type TriageConfig } from './env.js';
