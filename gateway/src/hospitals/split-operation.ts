import {
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
} from 'graphql';

/** One fetch the gateway's query planner sends to the `hospital` subgraph. */
export interface SubgraphRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

export interface HospitalFetch {
  hospitalId: string;
  request: SubgraphRequest;
}

export class RoutingError extends Error {}

function operationOf(document: DocumentNode, operationName?: string): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) throw new RoutingError('The subgraph request has no operation');
  return operation;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    default:
      return undefined;
  }
}

/** Is this an `_entities(representations: ...)` fetch? */
export function isEntitiesFetch(request: SubgraphRequest): boolean {
  return Array.isArray(request.variables?.representations) && /\b_entities\s*\(/.test(request.query);
}

/**
 * Splits the representations of an `_entities` fetch by their hospitalId, remembering each one's
 * index so the answers can be put back in the order the planner asked for them.
 */
export function groupRepresentationsByHospital(
  representations: Record<string, unknown>[],
): Map<string, { indexes: number[]; representations: Record<string, unknown>[] }> {
  const groups = new Map<string, { indexes: number[]; representations: Record<string, unknown>[] }>();
  representations.forEach((representation, index) => {
    const hospitalId = representation.hospitalId;
    if (typeof hospitalId !== 'string' || !hospitalId) {
      throw new RoutingError(`Entity representation ${index} has no hospitalId`);
    }
    let group = groups.get(hospitalId);
    if (!group) groups.set(hospitalId, (group = { indexes: [], representations: [] }));
    group.indexes.push(index);
    group.representations.push(representation);
  });
  return groups;
}

/**
 * Routes a root-field fetch: every root field names its hospital in a `hospitalId` argument.
 * A fetch whose fields name one hospital goes there whole; otherwise it is split into one
 * operation per hospital, each keeping only the variables it uses.
 */
export function splitRootFieldsByHospital(request: SubgraphRequest): HospitalFetch[] {
  const document = parse(request.query);
  const operation = operationOf(document, request.operationName);
  const variables = request.variables ?? {};
  const groups = new Map<string, SelectionNode[]>();

  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) {
      throw new RoutingError('Root selections of a hospital fetch must be fields');
    }
    if (selection.name.value === '__typename') continue;
    const argument = selection.arguments?.find((a) => a.name.value === 'hospitalId');
    const hospitalId = argument ? valueOf(argument.value, variables) : undefined;
    if (typeof hospitalId !== 'string' || !hospitalId) {
      throw new RoutingError(`Root field "${selection.name.value}" of the hospital subgraph needs a hospitalId`);
    }
    const group = groups.get(hospitalId) ?? [];
    group.push(selection);
    groups.set(hospitalId, group);
  }
  if (groups.size === 0) throw new RoutingError('The hospital fetch selects no root field');
  if (groups.size === 1) return [{ hospitalId: [...groups.keys()][0]!, request }];

  return [...groups.entries()].map(([hospitalId, selections]) => {
    const used = new Set<string>();
    for (const s of selections) {
      visit(s, {
        Variable(node) {
          used.add(node.name.value);
        },
      });
    }
    // Fragment spreads inside the kept selections may use variables too.
    for (const d of document.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) visit(d, { Variable: (node) => void used.add(node.name.value) });
    }
    const split: OperationDefinitionNode = {
      ...operation,
      variableDefinitions: operation.variableDefinitions?.filter((v) => used.has(v.variable.name.value)),
      selectionSet: { ...operation.selectionSet, selections: selections as FieldNode[] },
    };
    const definitions = document.definitions.map((d) => (d === operation ? split : d));
    return {
      hospitalId,
      request: {
        ...request,
        query: print({ ...document, definitions }),
        variables: Object.fromEntries(Object.entries(variables).filter(([k]) => used.has(k))),
      },
    };
  });
}
