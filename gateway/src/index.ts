export { createGateway, type Gateway, type GatewayDeps } from './server.js';
export { parseGatewayConfig, loadGatewayConfig, type GatewayConfig } from './env.js';
export { composeSupergraph, SUPERGRAPH_PATH } from './supergraph/compose.js';
