import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Principal, TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import {
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { GatewayContext } from '../context.js';
import { prepareFeed, type PreparedFeed } from './feed-request.js';
import type { FeedConnection } from './feed-subscription.js';
import type { EnrichedItems } from './event-shaping.js';
import type { SubscriptionHub } from './subscription-hub.js';

export const TOKEN_EXPIRED_CLOSE = { code: CloseCode.Unauthorized, reason: 'Token expired' } as const;
/** How long a closed socket may take to flush what it was sent (and read the close frame) before it is cut. */
const CLOSE_GRACE_MS = 10_000;

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  path: string;
  verifier: TokenVerifier;
  hub: SubscriptionHub;
  schema: () => GraphQLSchema | undefined;
  /** Extra validation rules (the query limits), on top of GraphQL's own. */
  validationRules: readonly ValidationRule[];
  /** Queries and mutations sent over the socket run through the normal HTTP pipeline. */
  executeOperation: (
    request: { query: string; variables?: Record<string, unknown>; operationName?: string },
    context: GatewayContext,
  ) => Promise<EnrichedItems>;
  maxSubscriptionsPerConnection: number;
  maxPayloadBytes?: number;
  keepAliveMs?: number;
  log: Logger;
}

interface ConnectionState extends FeedConnection {
  expiry?: NodeJS.Timeout;
}

type Extra = { socket: WebSocket; request: http.IncomingMessage; connection?: ConnectionState };
type ServerContext = Context<Record<string, unknown> | undefined, Extra>;

interface OperationContext {
  connection: ConnectionState;
  feed?: PreparedFeed;
  query: string;
}

function toGraphQLErrors(
  errors: readonly {
    message: string;
    path?: readonly (string | number)[];
    extensions?: Record<string, unknown>;
  }[],
) {
  return errors.map((e) =>
    e instanceof GraphQLError ? e : new GraphQLError(e.message, { path: e.path, extensions: e.extensions }),
  );
}

function authorizationParam(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-ws on the gateway's own HTTP server and path: the same URL serves queries over HTTP
 * and subscriptions over WebSocket. A connection authenticates once in `connection_init`
 * (`{ authorization: "Bearer <token>" }`, verified like HTTP requests) and is closed with 4401
 * when the token is refused or expires. Operations are validated against the supergraph's API
 * schema with the same limits as queries; subscriptions go to the hub, queries and mutations to
 * the federated executor.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions) {
  const { hub, log } = options;
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
  });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const connectionFor = (socket: WebSocket, principal: Principal): ConnectionState => {
    const connection: ConnectionState = {
      id: randomUUID(),
      principal,
      close(code, reason) {
        hub.closeConnection(
          connection,
          code === TOKEN_EXPIRED_CLOSE.code ? 'token_expired' : 'slow_consumer',
        );
        if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
          socket.close(code, reason);
          // A client that stopped reading never answers the close handshake.
          setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
        }
      },
    };
    const remaining = principal.expiresAt - Date.now();
    // setTimeout cannot wait longer than ~24.8 days; such tokens are re-checked then.
    const schedule = (ms: number) => {
      connection.expiry = setTimeout(
        () => {
          const left = principal.expiresAt - Date.now();
          if (left > 0) return schedule(left);
          log.info(
            { connection: connection.id, subject: principal.subject },
            'closing a subscription connection: token expired',
          );
          connection.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
        },
        Math.min(ms, 2 ** 31 - 1),
      );
      connection.expiry.unref();
    };
    schedule(Math.max(0, remaining));
    return connection;
  };

  const server = useServer<Record<string, unknown> | undefined, Extra>(
    {
      onConnect: async (ctx: ServerContext) => {
        const socket = ctx.extra.socket;
        try {
          const principal = await options.verifier.fromHeader(authorizationParam(ctx.connectionParams));
          if (!principal)
            throw new GraphQLError('A valid bearer token is required in connectionParams.authorization');
          ctx.extra.connection = connectionFor(socket, principal);
          return true;
        } catch (error) {
          socket.close(CloseCode.Unauthorized, (error as Error).message.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx: ServerContext, _id, payload) => {
        const connection = ctx.extra.connection!;
        const schema = options.schema();
        if (!schema)
          return [
            new GraphQLError('The gateway is starting; try again', {
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            }),
          ];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error')];
        }
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length) return [...errors];
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unable to identify operation')];
        const context: OperationContext = { connection, query: payload.query };
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
            return [
              new GraphQLError(
                `At most ${options.maxSubscriptionsPerConnection} subscriptions per connection`,
                {
                  extensions: { code: 'BAD_USER_INPUT' },
                },
              ),
            ];
          }
          try {
            context.feed = prepareFeed(
              schema,
              document,
              payload.operationName ?? undefined,
              payload.variables ?? undefined,
              connection.principal,
            );
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
        }
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: context,
        };
        return args;
      },
      subscribe: async (args: ExecutionArgs) => {
        const { feed, connection } = args.contextValue as OperationContext;
        return hub.subscribe(feed!, connection);
      },
      execute: async (args: ExecutionArgs): Promise<ExecutionResult> => {
        const { connection, query } = args.contextValue as OperationContext;
        const result = await options.executeOperation(
          {
            query,
            variables: args.variableValues ?? undefined,
            operationName: args.operationName ?? undefined,
          },
          { requestId: randomUUID(), principal: connection.principal },
        );
        return {
          data: result.data,
          ...(result.errors?.length ? { errors: toGraphQLErrors(result.errors) } : {}),
        };
      },
      onClose: (ctx: ServerContext) => {
        const connection = ctx.extra.connection;
        if (!connection) return;
        clearTimeout(connection.expiry);
        hub.closeConnection(connection);
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  return {
    /** Open WebSocket connections. */
    connections: () => sockets.size,
    /** Closes every connection (1001 Going away) and stops accepting new ones. */
    async dispose(): Promise<void> {
      hub.closeAll();
      const closing = server.dispose();
      // Clients get the close frame; ones that do not answer are cut so shutdown never hangs.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const socket of sockets) socket.terminate();
      await closing;
    },
  };
}
