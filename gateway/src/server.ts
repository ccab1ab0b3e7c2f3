import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
import {
  bearerPrincipal,
  createServiceMetrics,
  formatError,
  httpMetricsMiddleware,
  operationMetricsPlugin,
  operationSpanPlugin,
} from '@triage/service-common';
import { httpServerTracing, initTelemetry, type Telemetry } from '@triage/telemetry';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { Histogram } from 'prom-client';
import type { GatewayContext } from './context.js';
import type { GatewayConfig } from './env.js';
import { HospitalRoutingDataSource } from './hospitals/hospital-data-source.js';
import { NatsHospitalRegistry } from './hospitals/hospital-registry.js';
import { createOpsStatus, mountOpsRoutes, opsTargets } from './ops/ops-status.js';
import { isAnonymousOperationAllowed } from './security/anonymous.js';
import { queryLimitsRule } from './security/limits.js';
import { AuthenticatedDataSource } from './subgraph-data-source.js';
import { mountHttpProxies } from './uploads/upload-proxy.js';
import type { EnrichedItems } from './subscriptions/event-shaping.js';
import { isSubscriptionRequest } from './subscriptions/http-refusal.js';
import { SubscriptionHub } from './subscriptions/subscription-hub.js';
import { attachSubscriptionServer } from './subscriptions/subscription-server.js';
import { TriageEventSource } from './subscriptions/triage-event-source.js';
import { SUPERGRAPH_PATH } from './supergraph/compose.js';

export interface GatewayDeps {
  log?: Logger;
  nats?: NatsConnection;
  verifier?: TokenVerifier;
  supergraphSdl?: string;
  telemetry?: Telemetry;
}

export function createGateway(config: GatewayConfig, deps: GatewayDeps = {}) {
  const log = deps.log ?? createLogger({ service: 'gateway', level: config.logLevel });
  const verifier = deps.verifier ?? createTokenVerifier(config.issuers);
  const telemetry = deps.telemetry ?? initTelemetry({ service: 'gateway', ...config.telemetry, global: true });
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
  app.use(httpServerTracing(telemetry.tracer));
  app.use(httpMetricsMiddleware(metrics));
  const httpServer = http.createServer(app);
  let nc = deps.nats;
  let registry: NatsHospitalRegistry | undefined;
  let feed: TriageEventSource | undefined;
  let hub: SubscriptionHub | undefined;
  let subscriptionServer: ReturnType<typeof attachSubscriptionServer> | undefined;
  let apiSchema: GraphQLSchema | undefined;
  let address = '';

  const start = async (): Promise<string> => {
    nc ??= await connectNats({ url: config.nats.url, name: 'gateway', log });
    const topology = natsTopology(config.nats.namespace);
    registry = new NatsHospitalRegistry(nc, topology, log);
    await registry.start();
    const routes = registry;
    // Each replica reads the whole triage stream on its own and fans it out to its own sockets.
    feed = new TriageEventSource(nc, topology, log, undefined, telemetry.tracer);
    feed.start();

    const gateway = new ApolloGateway({
      supergraphSdl: deps.supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
      buildService: ({ name }) => {
        if (name === 'hospital') return new HospitalRoutingDataSource(routes, subgraphFetch);
        const url = config.subgraphs[name as keyof GatewayConfig['subgraphs']];
        if (!url) throw new Error(`No URL configured for subgraph "${name}"`);
        return new AuthenticatedDataSource({ url });
      },
    });

    // The API schema (with the triage subgraph's Subscription type) is what subscriptions are validated against.
    gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => void (apiSchema = schema));
    const validationRules = [queryLimitsRule({ ...config.limits })];

    const apollo = new ApolloServer<GatewayContext>({
      gateway,
      introspection: config.introspection,
      csrfPrevention: true,
      includeStacktraceInErrorResponses: false,
      stopOnTerminationSignals: false,
      validationRules,
      formatError: formatError(log),
      plugins: [
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginInlineTraceDisabled(),
        operationMetricsPlugin<GatewayContext>(metrics),
        operationSpanPlugin<GatewayContext>(),
      ],
    });
    await apollo.start();

    /** One operation through the whole Apollo pipeline (validation, limits, query plan, formatError). */
    const executeOperation = async (
      request: { query: string; variables?: Record<string, unknown>; operationName?: string },
      context: GatewayContext,
    ): Promise<EnrichedItems> => {
      const response = await apollo.executeOperation(request, { contextValue: context });
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported here');
      const { data, errors } = response.body.singleResult;
      return { data: data as Record<string, unknown> | null | undefined, errors };
    };
    hub = new SubscriptionHub({
      source: feed,
      execute: executeOperation,
      schema: () => apiSchema,
      registry: metrics.registry,
      log,
      bufferLimit: config.subscriptions.bufferLimit,
      fetchConcurrency: config.subscriptions.fetchConcurrency,
    });
    subscriptionServer = attachSubscriptionServer({
      httpServer,
      path: '/graphql',
      verifier,
      hub,
      schema: () => apiSchema,
      validationRules,
      executeOperation,
      maxSubscriptionsPerConnection: config.subscriptions.perConnection,
      log,
    });

    app.get('/healthz', (_req, res) => void res.json({ status: 'ok', service: 'gateway' }));
    const isReady = () => routes.ready() && !!nc && !nc.isClosed();
    mountOpsRoutes(app, {
      verifier,
      log,
      ops: createOpsStatus({
        targets: opsTargets(config.subgraphs, config.ops.workerUrls, () => routes.list()),
        self: { registry: metrics.registry, ready: isReady },
        grafanaUrl: config.ops.grafanaUrl,
        timeoutMs: config.ops.scrapeTimeoutMs,
        log,
      }),
    });
    app.get('/readyz', (_req, res) => {
      const ready = isReady();
      res.status(ready ? 200 : 503).json({
        status: ready ? 'ready' : 'not ready',
        hospitals: routes.list().length,
        // Queries work without the feed, so it is reported but does not gate readiness.
        subscriptions: feed?.ready() ? 'live' : 'waiting for the triage stream',
      });
    });
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    mountHttpProxies(app, routes, config.subgraphs.research, log);
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
        if (req.method === 'POST' && isSubscriptionRequest(req.body?.query, req.body?.operationName)) {
          res.status(400).json({
            errors: [
              {
                message: 'Subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on this URL',
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
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
    // The web app: static files on the gateway's own origin, so it needs no CORS and no proxy.
    if (config.clientDist && existsSync(path.join(config.clientDist, 'index.html'))) {
      app.use(express.static(config.clientDist, { index: 'index.html', maxAge: '1h' }));
    }

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
    /** The live feed of this replica (open subscriptions, metrics). */
    subscriptions: () => hub,
    async stop() {
      // Sockets first: upgraded connections would otherwise hold the HTTP server open.
      const sockets = subscriptionServer;
      subscriptionServer = undefined;
      await sockets?.dispose();
      await feed?.stop();
      await stopApollo();
      registry?.stop();
      if (!deps.nats) await nc?.close();
      await telemetry.shutdown();
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
