import { getOperationAST, parse } from 'graphql';

/** Whether an HTTP request body asks for a subscription, which only the WebSocket endpoint serves. */
export function isSubscriptionRequest(query: unknown, operationName: unknown): boolean {
  if (typeof query !== 'string' || !/\bsubscription\b/.test(query)) return false;
  try {
    const operation = getOperationAST(
      parse(query),
      typeof operationName === 'string' ? operationName : undefined,
    );
    return operation?.operation === 'subscription';
  } catch {
    return false; // the GraphQL server reports the syntax error itself
  }
}
