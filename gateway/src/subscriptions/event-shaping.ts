import {
  buildASTSchema,
  execute,
  parse,
  printSchema,
  GraphQLError,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { PreparedFeed } from './feed-request.js';

/** What the federated executor answered for one event. */
export interface EnrichedItems {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

interface FeedEventSource {
  cursor: string;
  /** The enriched item under each `item` response key of the subscriber's document. */
  items: Record<string, unknown>;
}

const shapingSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * A resolver-free copy of the API schema. Apollo Server wraps every field resolver of the schema
 * it serves (for its plugins), which would override a `fieldResolver`; shaping needs its own.
 */
function shapingSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  let copy = shapingSchemas.get(schema);
  if (!copy) {
    copy = buildASTSchema(parse(printSchema(schema)), { assumeValidSDL: true });
    shapingSchemas.set(schema, copy);
  }
  return copy;
}

/**
 * Shapes one enriched event exactly as the subscriber's document asks (aliases, fragments,
 * `__typename`, nullability), by executing that document over the already-fetched data: the
 * enrichment answer is in response-key shape, so every field resolves to `source[responseKey]`.
 * Nothing is fetched here.
 */
export function shapeFeedEvent(
  apiSchema: GraphQLSchema,
  feed: PreparedFeed,
  cursor: string,
  enriched: EnrichedItems,
): ExecutionResult {
  const schema = shapingSchemaOf(apiSchema);
  const subscriptionType = schema.getSubscriptionType();
  const items: Record<string, unknown> = {};
  for (const { alias, responseKey } of feed.enrichment.items)
    items[responseKey] = enriched.data?.[alias] ?? null;
  const root: FeedEventSource = { cursor, items };

  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
    if (info.parentType === subscriptionType) return source;
    if (source === root)
      return info.fieldName === 'cursor' ? root.cursor : root.items[info.path.key as string];
    return (source as Record<string, unknown> | null)?.[info.path.key as string];
  };
  const shaped = execute({
    schema,
    document: feed.document,
    operationName: feed.operationName,
    variableValues: feed.variables,
    rootValue: root,
    fieldResolver,
  }) as ExecutionResult;

  if (!enriched.errors?.length) return shaped;
  // Subgraph errors explain the nulls: report them at the subscriber's path instead of the
  // bare non-null violations they caused.
  const rootKey = feed.responseKey;
  const errors = enriched.errors.map((error) => {
    const [alias, ...rest] = error.path ?? [];
    const item = feed.enrichment.items.find((i) => i.alias === alias);
    return new GraphQLError(error.message, {
      path: item ? [rootKey, item.responseKey, ...rest] : undefined,
      extensions: error.extensions,
    });
  });
  return { ...shaped, errors };
}
