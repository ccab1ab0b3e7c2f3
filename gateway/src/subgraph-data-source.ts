import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { injectHeaderSetter } from '@triage/telemetry';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.js';

/**
 * Forwards the caller's own bearer token, so every subgraph re-verifies it and authorizes the
 * caller itself; the gateway never vouches for anyone with a header of its own.
 */
export class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const principal = (context as GatewayContext | undefined)?.principal;
    if (principal) request.http?.headers.set('authorization', `Bearer ${principal.token}`);
    const requestId = (context as GatewayContext | undefined)?.requestId;
    if (requestId) request.http?.headers.set('x-request-id', requestId);
    // The subgraph's server span continues the operation's trace.
    if (request.http) injectHeaderSetter(request.http.headers);
  }

  /** Keeps the status-derived code but drops the subgraph's URL and body from what clients see. */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const code = response.status === 401 ? 'UNAUTHENTICATED' : response.status === 403 ? 'FORBIDDEN' : 'SUBGRAPH_ERROR';
    let message = `${response.status}: ${response.statusText}`;
    try {
      const body = (await response.json()) as { errors?: { message?: string }[] };
      if (body.errors?.[0]?.message) message = body.errors[0].message;
    } catch {
      // Non-JSON error bodies keep the status line.
    }
    return new GraphQLError(message, { extensions: { code } });
  }
}
