import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { createTokenVerifier, type TokenVerifier } from '@triage/auth';
import { natsTopology } from '@triage/contracts';
import { createLogger, type Logger } from '@triage/logger';
import { connectNats, type NatsConnection } from '@triage/nats';
import { bearerPrincipal, createServiceMetrics, formatError } from '@triage/service-common';
import express from 'express';
import { Histogram } from 'prom-client';
import type { GatewayContext } from './context.js';
import type { GatewayConfig } from './env.js';
import { HospitalRoutingDataSource } from './hospitals/hospital-data-source.js';
import { NatsHospitalRegistry } from './hospitals/hospital-registry.js';
import { isAnonymousOperationAllowed } from './security/anonymous.js';
import { queryLimitsRule } from './security/limits.js';
import { AuthenticatedDataSource } from './subgraph-data-source.js';
import { mountUploadProxy } from './uploads/upload-proxy.js';
import { SUPERGRAPH_PATH } from './supergraph/compose.js';

export interface GatewayDeps {
  log?: Logger;
  nats?: NatsConnection;
  verifier?: TokenVerifier;
  supergraphSdl?: string;
}

export function createGateway(config: GatewayConfig, deps: GatewayDeps = {}) {
  const log = deps.log ?? createLogger({ service: 'gateway', level: config.logLevel });
  const verifier = deps.verifier ?? createTokenVerifier(config.issuers);
  const metrics = createServiceMetrics('gateway');
  const subgraphFetch = new Histogram({
    name: 'gateway_subgraph_fetch_duration_seconds',
    help: 'Latency of fetches from the gateway to subgraphs (hospital fetches per hospital)',
    labelNames: ['subgraph', 'hospital'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry],
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let nc = deps.nats;
  let registry: NatsHospitalRegistry | undefined;
  let address = '';

  const start = async (): Promise<string> => {
    nc ??= await connectNats({ url: config.nats.url, name: 'gateway', log });
    registry = new NatsHospitalRegistry(nc, natsTopology(config.nats.namespace), log);
    await registry.start();
    const routes = registry;

    const gateway = new ApolloGateway({
      supergraphSdl: deps.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
      buildService: ({ name }) => {
        if (name === 'hospital') return new HospitalRoutingDataSource(routes, subgraphFetch);
        const url = config.subgraphs[name as keyof GatewayConfig['subgraphs']];
        if (!url) throw new Error(`No URL configured for subgraph "${name}"`);
        return new AuthenticatedDataSource({ url });
      },
    });

    const apollo = new ApolloServer<GatewayContext>({
      gateway,
      introspection: config.introspection,
      csrfPrevention: true,
      includeStacktraceInErrorResponses: false,
      stopOnTerminationSignals: false,
      validationRules: [queryLimitsRule({ ...config.limits })],
      formatError: formatError(log),
      plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled()],
    });
    await apollo.start();

    app.get('/healthz', (_req, res) => void res.json({ status: 'ok', service: 'gateway' }));
    app.get('/readyz', (_req, res) => {
      const ready = routes.ready() && !!nc && !nc.isClosed();
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', hospitals: routes.list().length });
    });
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    mountUploadProxy(app, routes, log);
    app.use(
      '/graphql',
      express.json({ limit: '1mb' }),
      async (req, res, next) => {
        const { principal, error } = await bearerPrincipal(verifier, req);
        if (error) {
          res.status(401).json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
          return;
        }
        if (!principal && req.method === 'POST' && !isAnonymousOperationAllowed(req.body?.query, req.body?.operationName)) {
          res.status(401).json({
            errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }],
          });
          return;
        }
        res.locals.principal = principal;
        next();
      },
      expressMiddleware(apollo, {
        context: async ({ req, res }) => ({
          requestId: (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
          principal: res.locals.principal ?? null,
        }),
      }),
    );

    await new Promise<void>((resolve) => httpServer.listen(config.http.port, config.http.host, resolve));
    const { port } = httpServer.address() as AddressInfo;
    address = `http://${config.http.host}:${port}`;
    log.info({ url: `${address}/graphql` }, 'gateway listening');
    stopApollo = () => apollo.stop();
    return address;
  };

  let stopApollo: () => Promise<void> = async () => undefined;

  return {
    app,
    metrics,
    start,
    url: () => address,
    hospitals: () => registry,
    async stop() {
      await stopApollo();
      registry?.stop();
      if (!deps.nats) await nc?.close();
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
