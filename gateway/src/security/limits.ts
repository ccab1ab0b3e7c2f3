import {
  getNamedType,
  GraphQLError,
  isListType,
  isNonNullType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type GraphQLCompositeType,
  isObjectType,
  isInterfaceType,
  type ValidationContext,
  type ASTVisitor,
  type OperationDefinitionNode,
  type GraphQLType,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  /** Assumed size of a list whose size the query does not bound with `first`/`last`. */
  defaultListSize: number;
  /** Assumed `first` when it comes from a variable (validation runs before variables are known). */
  variableListSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 20_000, defaultListSize: 10, variableListSize: 100 };

/** List fields of a connection, whose size the connection's page argument already bounds. */
const CONNECTION_LISTS = new Set(['edges', 'nodes']);

interface Measure {
  depth: number;
  cost: number;
}

function isList(type: GraphQLType): boolean {
  return isNonNullType(type) ? isList(type.ofType) : isListType(type);
}

/**
 * Depth and cost of an operation. Every field costs 1; a field with `first`/`last` (a page) or
 * returning a list multiplies the cost of what is selected under it by its expected size.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  limits: QueryLimits,
): Measure {
  const rootType =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!rootType) return { depth: 0, cost: 0 };

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, visiting: Set<string>): Measure => {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        const type: GraphQLOutputType | undefined = field?.type;
        let multiplier = 1;
        const page = selection.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
        const named = type ? getNamedType(type) : undefined;
        const isConnection = !!named && isObjectType(named) && 'edges' in named.getFields();
        if (page) {
          multiplier = page.value.kind === Kind.INT ? Number(page.value.value) : limits.variableListSize;
        } else if (CONNECTION_LISTS.has(selection.name.value)) {
          multiplier = 1; // bounded by the page size already counted on the connection field
        } else if ((type && isList(type)) || isConnection) {
          multiplier = limits.defaultListSize;
        }
        let child: Measure = { depth: 0, cost: 0 };
        if (selection.selectionSet && type) {
          child = walk(selection.selectionSet, getNamedType(type) as GraphQLCompositeType, visiting);
        }
        depth = Math.max(depth, 1 + child.depth);
        cost += 1 + multiplier * child.cost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        const type = (typeName ? schema.getType(typeName) : parent) as GraphQLCompositeType;
        const child = walk(selection.selectionSet, type ?? parent, visiting);
        depth = Math.max(depth, child.depth);
        cost += child.cost;
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || visiting.has(name)) continue; // cycles are reported by the standard rules
        const type = (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType) ?? parent;
        const child = walk(fragment.selectionSet, type, new Set([...visiting, name]));
        depth = Math.max(depth, child.depth);
        cost += child.cost;
      }
    }
    return { depth, cost };
  };
  return walk(operation.selectionSet, rootType, new Set());
}

/** A validation rule that refuses operations deeper or costlier than the limits, with a clear error. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    return {
      OperationDefinition(operation) {
        const { depth, cost } = measureOperation(context.getSchema(), operation, fragments, limits);
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth: limits.maxDepth },
            }),
          );
        }
        if (cost > limits.maxCost) {
          context.reportError(
            new GraphQLError(`Query cost ${cost} exceeds the limit of ${limits.maxCost}`, {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: limits.maxCost },
            }),
          );
        }
      },
    };
  };
}
