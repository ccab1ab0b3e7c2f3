/** What other code (the launcher, platform tests) may reuse from this subgraph. */
export { createServer, SERVICE_NAME, type ResearchServer, type ResearchServerDeps } from './server.js';
export { envSchema, parseConfig, loadConfigOrExit, type ResearchConfig } from './env.js';
export { SHADOW_KEY } from './model-version/model-registry.service.js';
