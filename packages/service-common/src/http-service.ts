import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { DomainError, unauthenticated, type Principal, type TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import { fallbackTracer, httpServerTracing, trace, type Telemetry } from '@triage/telemetry';
import express, { type Express, type Request } from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { createServiceMetrics, observeDatabasePool, type ServiceMetrics } from './metrics.js';

export interface RequestContext extends BaseContext {
  requestId: string;
  principal: Principal | null;
  log: Logger;
}

export interface GraphQLServiceSettings<C extends RequestContext> {
  name: string;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  log: Logger;
  host?: string;
  port: number;
  /** Directory only: login and key exchange must work without a token. */
  allowAnonymous?: boolean;
  introspection?: boolean;
  /** Extends the base context (e.g. a forked EntityManager per request). */
  context: (base: RequestContext) => C | Promise<C>;
  /** Readiness checks (database, NATS); all must pass for /readyz to answer 200. */
  readinessChecks?: Record<string, () => Promise<unknown>>;
  /** Extra HTTP routes mounted before /graphql. */
  routes?: (app: Express) => void;
  plugins?: ApolloServerPlugin<C>[];
  metrics?: ServiceMetrics;
  /** The service's tracer: every request gets a server span continuing the caller's trace. */
  telemetry?: Telemetry;
  /** The service's database: its connection pool use is exported with the metrics. */
  database?: Parameters<typeof observeDatabasePool>[1];
}

export interface RunningService {
  app: Express;
  metrics: ServiceMetrics;
  start(): Promise<string>;
  stop(): Promise<void>;
  url(): string;
}

/** Never leak internal error messages (they may carry SQL or data); domain errors pass through. */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    if (original instanceof DomainError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (original instanceof GraphQLError && original.extensions?.code) return formatted;
    // Database errors can quote column values (names, MRNs): log their kind and stack, not their text.
    const e = original as { name?: string; code?: string; stack?: string };
    log.error(
      { errorType: e?.name, errorCode: e?.code, stack: e?.stack?.split('\n').slice(1, 8).join('\n'), path: formatted.path },
      'unexpected error while executing an operation',
    );
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** Counts GraphQL operations by name and outcome and times them. */
export function operationMetricsPlugin<C extends BaseContext>(metrics: ServiceMetrics): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const end = metrics.graphqlDuration.startTimer();
      return {
        async willSendResponse(ctx) {
          const operation = ctx.operationName ?? 'anonymous';
          const outcome = ctx.errors?.length ? 'error' : 'ok';
          end({ operation });
          metrics.graphqlOperations.inc({ operation, outcome });
        },
      };
    },
  };
}

/** Names the request's span after the GraphQL operation (names only: variables can carry PHI). */
export function operationSpanPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          const span = trace.getActiveSpan();
          span?.setAttribute('graphql.operation.name', ctx.operationName ?? 'anonymous');
          if (ctx.operation?.operation) span?.setAttribute('graphql.operation.type', ctx.operation.operation);
        },
      };
    },
  };
}

/** Counts and times HTTP requests by route pattern (never by raw path, which may carry ids). */
export function httpMetricsMiddleware(metrics: ServiceMetrics) {
  return (req: Request, res: express.Response, next: express.NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = String(req.route?.path ?? (req.baseUrl || 'unmatched'));
      end({ route, method: req.method });
      metrics.httpRequests.inc({ route, method: req.method, status: res.statusCode });
    });
    next();
  };
}

export async function bearerPrincipal(
  verifier: TokenVerifier,
  req: Request,
): Promise<{ principal: Principal | null; error?: DomainError }> {
  try {
    return { principal: await verifier.fromHeader(req.headers.authorization) };
  } catch (error) {
    if (error instanceof DomainError) return { principal: null, error };
    throw error;
  }
}

export function createGraphQLService<C extends RequestContext>(settings: GraphQLServiceSettings<C>): RunningService {
  const { log } = settings;
  const metrics = settings.metrics ?? createServiceMetrics(settings.name);
  if (settings.database) observeDatabasePool(metrics.registry, settings.database);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let address = '';

  app.use(httpServerTracing(settings.telemetry?.tracer ?? fallbackTracer(settings.name)));
  app.use(httpMetricsMiddleware(metrics));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: settings.name });
  });
  app.get('/readyz', async (_req, res) => {
    const results: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of Object.entries(settings.readinessChecks ?? {})) {
      try {
        await check();
        results[name] = 'ok';
      } catch (error) {
        ready = false;
        results[name] = (error as Error).message;
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  settings.routes?.(app);

  const apollo = new ApolloServer<C>({
    schema: settings.schema,
    logger: log,
    introspection: settings.introspection ?? false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // Services own their shutdown (drain, then close); Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    formatError: formatError(log),
    plugins: [ApolloServerPluginInlineTraceDisabled(), operationMetricsPlugin<C>(metrics), operationSpanPlugin<C>(), ...(settings.plugins ?? [])],
  });

  return {
    app,
    metrics,
    url: () => address,
    async start() {
      await apollo.start();
      app.use(
        '/graphql',
        express.json({ limit: '1mb' }),
        async (req, res, next) => {
          // Subgraphs never trust a bare header: every request carries a token they verify.
          const { principal, error } = await bearerPrincipal(settings.verifier, req);
          if (error || (!principal && !settings.allowAnonymous)) {
            const e = error ?? unauthenticated();
            res.status(401).json({ errors: [{ message: e.message, extensions: { code: e.code } }] });
            return;
          }
          res.locals.principal = principal;
          next();
        },
        expressMiddleware(apollo, {
          context: async ({ req, res }) => {
            const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
            const principal = res.locals.principal as Principal | null;
            return settings.context({
              requestId,
              principal,
              log: log.child({ requestId, subject: principal?.subject }),
            });
          },
        }),
      );
      await new Promise<void>((resolve) => httpServer.listen(settings.port, settings.host ?? '127.0.0.1', resolve));
      const { port } = httpServer.address() as AddressInfo;
      address = `http://${settings.host ?? '127.0.0.1'}:${port}`;
      log.info({ url: `${address}/graphql` }, `${settings.name} listening`);
      return address;
    },
    async stop() {
      await apollo.stop();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
      });
    },
  };
}
