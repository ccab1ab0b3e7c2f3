import { CLINICAL_READ_ROLES, hospitalIdsOf, type Principal } from '@triage/auth';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  Kind,
  OperationTypeNode,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/** The subscription fields the gateway serves, and the one query it uses to enrich an event. */
export const FEED_FIELDS = ['triageFeed', 'studyUpdated'] as const;
export type FeedField = (typeof FEED_FIELDS)[number];
export const ENRICHMENT_ROOT_FIELD = 'worklistItem';
/** The field of a feed event that carries the worklist item. */
const ITEM_FIELD = 'item';

/** Which events one subscription receives: evaluated per event, on top of the principal's memberships. */
export type FeedFilter =
  | { kind: 'triageFeed'; hospitalIds: string[]; minRisk: number | null }
  | { kind: 'studyUpdated'; hospitalId: string; studyId: string };

/** How to resolve one event for this subscription through the federated executor. */
export interface Enrichment {
  /** A query with `worklistItem(hospitalId, studyId)` aliased once per `item` response key. */
  query: string;
  hospitalVariable: string;
  studyVariable: string;
  /** The subscriber's variables that the item selections use. */
  variables: Record<string, unknown>;
  /** Enrichment alias -> the `item` response key it answers, in the subscriber's document. */
  items: { alias: string; responseKey: string }[];
}

/** A validated, authorized feed subscription, before it is registered. */
export interface PreparedFeed {
  field: FeedField;
  /** The root field's alias or name: where the event sits in each payload. */
  responseKey: string;
  filter: FeedFilter;
  /** Stream sequence to replay after, or null to start live. */
  after: number | null;
  /** The subscriber's document, to shape each enriched event exactly as they asked. */
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  enrichment: Enrichment;
  /** Identical for subscribers whose events look identical once shaped (same selection, same used variables). */
  selectionKey: string;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

/** Hospitals whose clinical data the principal may read: the only hospitals a feed can ever carry. */
export function readableHospitals(principal: Principal): string[] {
  return hospitalIdsOf(principal, CLINICAL_READ_ROLES);
}

/**
 * Everything that decides what subgraphs answer for a principal: its memberships and platform
 * roles. Subscribers with the same scope (and selection) can share one fetch per event.
 */
export function authorizationScope(principal: Principal): string {
  const memberships = [...new Set(principal.memberships.map((m) => `${m.hospitalId}:${m.role}`))].sort();
  return JSON.stringify([principal.kind, [...new Set(principal.roles)].sort(), memberships]);
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

function isIncluded(
  node: { directives?: readonly DirectiveNode[] },
  variables: Record<string, unknown>,
): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/** Field nodes of a selection set, through fragments, grouped by response key (as GraphQL merges them). */
function collectFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  into = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      into.set(key, [...(into.get(key) ?? []), selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, fragments, variables, into, visited);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visited.has(fragment.name.value)) continue;
      visited.add(fragment.name.value);
      collectFields(fragment.selectionSet, fragments, variables, into, visited);
    }
  }
  return into;
}

const mergeSelectionSets = (nodes: FieldNode[]): SelectionSetNode => ({
  kind: Kind.SELECTION_SET,
  selections: nodes.flatMap((n) => n.selectionSet?.selections ?? []),
});

/** Variable and fragment names used under some nodes, fragments followed transitively. */
function usages(
  nodes: readonly SelectionNode[] | readonly FieldNode[],
  fragments: Map<string, FragmentDefinitionNode>,
) {
  const variables = new Set<string>();
  const usedFragments = new Set<string>();
  const pending = [...nodes] as (SelectionNode | FragmentDefinitionNode)[];
  while (pending.length) {
    visit(pending.pop()!, {
      Variable: (node) => void variables.add(node.name.value),
      FragmentSpread(node) {
        const name = node.name.value;
        const fragment = fragments.get(name);
        if (fragment && !usedFragments.has(name)) {
          usedFragments.add(name);
          pending.push(fragment);
        }
      },
    });
  }
  return { variables, fragments: usedFragments };
}

function uniqueVariableName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/** Adds `__typename` wherever an abstract type is selected, so the shaped result can tell its concrete type. */
function withTypenames(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet(node) {
        const parent = typeInfo.getParentType();
        if (!parent || !isAbstractType(parent)) return undefined;
        if (node.selections.some((s) => s.kind === Kind.FIELD && !s.alias && s.name.value === '__typename'))
          return undefined;
        return {
          ...node,
          selections: [
            ...node.selections,
            { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } },
          ],
        };
      },
    }),
  );
}

function buildEnrichment(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  eventSelection: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown>,
  coerced: Record<string, unknown>,
): Enrichment {
  // `item` fields with one response key are merged (validation proved they can be); different
  // response keys become different aliases of the enrichment field.
  const itemGroups = [...collectFields(eventSelection, fragments, coerced).entries()].filter(
    ([, nodes]) => nodes[0]!.name.value === ITEM_FIELD,
  );
  const used = usages(
    itemGroups.flatMap(([, nodes]) => nodes),
    fragments,
  );
  const declared = new Set((operation.variableDefinitions ?? []).map((v) => v.variable.name.value));
  const hospitalVariable = uniqueVariableName('feedHospitalId', declared);
  const studyVariable = uniqueVariableName('feedStudyId', declared);
  const variable = (name: string) =>
    ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } }) as const;
  const idType = {
    kind: Kind.NON_NULL_TYPE,
    type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } },
  } as const;
  const variableDefinitions: VariableDefinitionNode[] = [
    { kind: Kind.VARIABLE_DEFINITION, variable: variable(hospitalVariable), type: idType },
    { kind: Kind.VARIABLE_DEFINITION, variable: variable(studyVariable), type: idType },
    ...(operation.variableDefinitions ?? []).filter((v) => used.variables.has(v.variable.name.value)),
  ];
  const items = itemGroups.map(([responseKey], i) => ({ alias: `item${i}`, responseKey }));
  const selections: FieldNode[] = itemGroups.map(([, nodes], i) => ({
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: items[i]!.alias },
    name: { kind: Kind.NAME, value: ENRICHMENT_ROOT_FIELD },
    arguments: [
      {
        kind: Kind.ARGUMENT,
        name: { kind: Kind.NAME, value: 'hospitalId' },
        value: variable(hospitalVariable),
      },
      { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'studyId' }, value: variable(studyVariable) },
    ],
    // @skip/@include on the `item` fields themselves were settled by collectFields (variables are fixed).
    selectionSet: mergeSelectionSets(nodes),
  }));
  if (selections.length === 0) {
    selections.push({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } });
  }
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: { kind: Kind.NAME, value: 'FeedEventEnrichment' },
        variableDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections },
      },
      ...document.definitions.filter(
        (d): d is FragmentDefinitionNode =>
          d.kind === Kind.FRAGMENT_DEFINITION && used.fragments.has(d.name.value),
      ),
    ],
  };
  return {
    query: print(withTypenames(schema, query)),
    hospitalVariable,
    studyVariable,
    variables: Object.fromEntries(
      [...used.variables].filter((name) => name in rawVariables).map((name) => [name, rawVariables[name]]),
    ),
    items,
  };
}

/** A cursor is a triage stream sequence; clients send it back as the string they received. */
export function parseCursor(value: unknown): number | null {
  if (value == null) return null;
  const sequence = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0)
    throw badInput('Invalid cursor');
  return sequence;
}

/**
 * Turns a validated subscription operation into a feed: reads its arguments, authorizes them
 * against the principal's memberships (the same rules as the worklist), and derives the
 * enrichment query and the key under which subscribers share enriched events.
 * Throws GraphQLError (BAD_USER_INPUT / FORBIDDEN) for refusals.
 */
export function prepareFeed(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  rawVariables: Record<string, unknown> | undefined,
  principal: Principal,
): PreparedFeed {
  const operation = getOperationAST(document, operationName);
  const subscriptionType = schema.getSubscriptionType();
  if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION || !subscriptionType) {
    throw badInput('Not a subscription operation');
  }
  const variables = rawVariables ?? {};
  const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coercion.errors) throw coercion.errors[0]!;
  const coerced = coercion.coerced;
  const fragments = fragmentsOf(document);

  const rootFields = [...collectFields(operation.selectionSet, fragments, coerced).entries()];
  if (rootFields.length !== 1) throw badInput('A subscription selects exactly one root field');
  const [responseKey, rootNodes] = rootFields[0]!;
  const field = rootNodes[0]!.name.value as FeedField;
  if (!FEED_FIELDS.includes(field))
    throw badInput(`The gateway does not serve the subscription field "${field}"`);
  const fieldDefinition = subscriptionType.getFields()[field]!;
  const args = getArgumentValues(fieldDefinition, rootNodes[0]!, coerced) as Record<string, unknown>;

  const readable = readableHospitals(principal);
  if (readable.length === 0) throw forbidden('The triage feed is only available to hospital staff');
  let filter: FeedFilter;
  if (field === 'triageFeed') {
    const requested = (args.hospitalIds as string[] | null | undefined) ?? [];
    const hospitalIds = requested.length ? [...new Set(requested)] : readable;
    if (hospitalIds.some((h) => !readable.includes(h)))
      throw forbidden('Not a member of every requested hospital');
    const minRisk = (args.minRisk as number | null | undefined) ?? null;
    if (minRisk != null && !(minRisk >= 0 && minRisk <= 1)) throw badInput('minRisk must be between 0 and 1');
    filter = { kind: 'triageFeed', hospitalIds, minRisk };
  } else {
    const hospitalId = args.hospitalId as string;
    if (!readable.includes(hospitalId)) throw forbidden('Not a member of this hospital');
    filter = { kind: 'studyUpdated', hospitalId, studyId: args.id as string };
  }

  const eventSelection = mergeSelectionSets(rootNodes);
  const enrichment = buildEnrichment(
    schema,
    document,
    operation,
    eventSelection,
    fragments,
    variables,
    coerced,
  );
  // What shapes the payload: the response key, the selection (with the fragments it uses) and the
  // values of the variables it uses. Filter arguments are not part of it.
  const used = usages(eventSelection.selections, fragments);
  const selectionKey = JSON.stringify([
    responseKey,
    print(eventSelection),
    [...used.fragments].sort().map((name) => print(fragments.get(name)!)),
    [...used.variables].sort().map((name) => [name, coerced[name] ?? null]),
  ]);
  return {
    field,
    responseKey,
    filter,
    after: parseCursor(args.after),
    document,
    operationName,
    variables,
    enrichment,
    selectionKey,
  };
}

/** The object type of the feed events (WorklistEvent), for shaping. */
export function feedEventType(schema: GraphQLSchema, field: FeedField): GraphQLObjectType {
  return getNamedType(schema.getSubscriptionType()!.getFields()[field]!.type) as GraphQLObjectType;
}
