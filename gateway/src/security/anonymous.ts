import { Kind, parse, type DocumentNode } from 'graphql';

/** The only root fields a caller without a token may use: getting a token. */
export const ANONYMOUS_ROOT_FIELDS = new Set(['login', 'exchangeApiKey', '__typename']);

export function isAnonymousOperationAllowed(query: unknown, operationName?: unknown): boolean {
  if (typeof query !== 'string') return false;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return true; // let the server report the syntax error itself
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation =
    typeof operationName === 'string' ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operations.length === 0) return true;
  if (operation.operation !== 'mutation') return false;
  return operation.selectionSet.selections.every(
    (s) => s.kind === Kind.FIELD && ANONYMOUS_ROOT_FIELDS.has(s.name.value),
  );
}
