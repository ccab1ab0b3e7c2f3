import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createConnectionStore, type ConnectionStore } from './connection';
import { isAuthCloseCode, isUnauthenticated } from './errors';
import { graphqlHttpUrl, graphqlWsUrl } from './urls';

export interface Api {
  urql: Client;
  /** null before login: an anonymous socket would only be refused. */
  ws: WsClient | null;
  connection: ConnectionStore;
  token: string | null;
  dispose(): void;
}

export interface ApiOptions {
  token: string | null;
  /** The token was refused (HTTP 401, UNAUTHENTICATED, or the socket closed with 4401/4403). */
  onUnauthenticated(): void;
  location?: Pick<Location, 'origin' | 'protocol' | 'host'>;
}

function closeCodeOf(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && typeof (event as { code?: unknown }).code === 'number'
    ? (event as { code: number }).code
    : undefined;
}

function closeReasonOf(event: unknown): string | undefined {
  const reason = typeof event === 'object' && event !== null ? (event as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' && reason !== '' ? reason : undefined;
}

/** One urql client (HTTP queries and mutations, subscriptions over graphql-ws) per token. */
export function createApi({ token, onUnauthenticated, location = window.location }: ApiOptions): Api {
  const connection = createConnectionStore();
  let disposed = false;

  const ws = token
    ? createWsClient({
        url: graphqlWsUrl(location),
        connectionParams: () => ({ authorization: `Bearer ${token}` }),
        // Connect right away so the badge tells the truth before the first subscription.
        lazy: false,
        retryAttempts: Infinity,
        // Any drop is retried (with graphql-ws' randomised backoff) except a refused token.
        shouldRetry: (event) => !isAuthCloseCode(closeCodeOf(event)),
        keepAlive: 15_000,
        on: {
          connecting: (isRetry) => connection.dispatch({ type: 'connecting', isRetry }),
          connected: () => connection.dispatch({ type: 'connected' }),
          closed: (event) => {
            if (disposed) return;
            const code = closeCodeOf(event);
            if (isAuthCloseCode(code)) {
              connection.dispatch({ type: 'failed', reason: 'Sign-in refused' });
              onUnauthenticated();
              return;
            }
            connection.dispatch({ type: 'closed', code, reason: closeReasonOf(event) });
          },
        },
        onNonLazyError: (error) => {
          if (disposed) return;
          connection.dispatch({ type: 'failed', reason: closeReasonOf(error) ?? 'Live updates stopped' });
        },
      })
    : null;
  if (!ws) connection.dispatch({ type: 'failed', reason: 'Not signed in' });

  const urql = new Client({
    url: graphqlHttpUrl(location),
    // POST only: the gateway's CSRF protection refuses simple GET requests.
    preferGetMethod: false,
    fetchOptions: () => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    exchanges: [
      mapExchange({
        onError(error) {
          if (token && isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      ...(ws
        ? [
            subscriptionExchange({
              forwardSubscription(request) {
                const input = { ...request, query: request.query ?? '' };
                return {
                  subscribe(sink) {
                    const unsubscribe = ws.subscribe(input, sink);
                    return { unsubscribe };
                  },
                };
              },
            }),
          ]
        : []),
    ],
  });

  return {
    urql,
    ws,
    connection,
    token,
    dispose() {
      disposed = true;
      // dispose() awaits the pending connection, which rejects when the server refused it.
      Promise.resolve(ws?.dispose()).catch(() => undefined);
    },
  };
}
