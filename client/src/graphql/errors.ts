import type { CombinedError } from 'urql';

/** A 401 from the gateway or an UNAUTHENTICATED error from any subgraph: the token is no good. */
export function isUnauthenticated(error: CombinedError | undefined | null): boolean {
  if (!error) return false;
  const status = (error.response as { status?: number } | undefined)?.status;
  if (status === 401) return true;
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

export function errorCode(error: CombinedError | undefined | null): string | null {
  const code = error?.graphQLErrors.find((e) => typeof e.extensions?.code === 'string')?.extensions?.code;
  return typeof code === 'string' ? code : null;
}

/** A sentence for the user: the server's message without urql's "[GraphQL]" prefixes. */
export function errorMessage(error: CombinedError | undefined | null, fallback = 'Something went wrong.'): string {
  if (!error) return fallback;
  if (error.networkError) return 'The server cannot be reached. Check the connection and try again.';
  const messages = error.graphQLErrors.map((e) => e.message).filter(Boolean);
  return messages.length > 0 ? [...new Set(messages)].join(' ') : fallback;
}

/** graphql-ws close codes that mean the credentials were refused, not a network drop. */
export function isAuthCloseCode(code: number | undefined): boolean {
  return code === 4401 || code === 4403;
}
