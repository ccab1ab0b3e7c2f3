import { gql } from '@triage/testing';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResearchSchema } from '../src/schema.js';
import { startHarness, type Harness } from './harness.js';

/** A literal that validates against `type` (the role check runs before any resolver sees it). */
function literal(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(type.ofType);
  if (isListType(type)) return `[${literal(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return `{ ${fields.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    if (type.name === 'Int' || type.name === 'Float') return '1';
    if (type.name === 'Boolean') return 'true';
    return '"00000000-0000-0000-0000-000000000000"';
  }
  throw new Error(`no literal for ${String(type)}`);
}

/** `field(requiredArgs) { __typename }` for any root field. */
function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined);
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${literal(a.type)}`).join(', ')})` : '';
  const named = getNamedType(field.type);
  const selection = isObjectType(named) ? ' { __typename }' : '';
  return `${kind} { ${field.name}${argText}${selection} }`;
}

describe('authorization', () => {
  let h: Harness;
  let rootFields: { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[];

  beforeAll(async () => {
    h = await startHarness();
    const schema = await buildResearchSchema();
    rootFields = [
      ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ kind: 'query' as const, field })),
      ...Object.values(schema.getMutationType()!.getFields()).map((field) => ({ kind: 'mutation' as const, field })),
    ];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses every root field to clinical roles with FORBIDDEN', async () => {
    expect(rootFields.length).toBeGreaterThan(10);
    for (const { kind, field } of rootFields) {
      const result = await gql(h.graphqlUrl, operationFor(kind, field), {}, h.doctor);
      expect(result.errors?.map((e) => e.extensions?.code), `${kind} ${field.name}`).toEqual(['FORBIDDEN']);
      expect(result.data?.[field.name as never] ?? null, `${kind} ${field.name}`).toBeNull();
    }
  });

  it('lets researchers and admins through the same check', async () => {
    for (const token of [h.researcher, h.admin]) {
      for (const { kind, field } of rootFields.filter((f) => f.kind === 'query')) {
        const result = await gql(h.graphqlUrl, operationFor(kind, field), {}, token);
        expect(result.errors?.map((e) => e.extensions?.code) ?? [], `${kind} ${field.name}`).not.toContain('FORBIDDEN');
      }
    }
  });

  it('refuses requests without a valid token', async () => {
    const anonymous = await gql(h.graphqlUrl, '{ researchSummary { total } }');
    expect(anonymous.status).toBe(401);
    const foreign = await gql(h.graphqlUrl, '{ researchSummary { total } }', {}, 'not.a.token');
    expect(foreign.status).toBe(401);
  });

  it('has no field that could carry PHI and no reference into a hospital subgraph', async () => {
    const schema = await buildResearchSchema();
    const PHI_NAMES = /name|mrn|birth|dob|note|address|phone|email|accession|study(?!Year)|patient|comment|text(?!Regions)/i;
    const ALLOWED = new Set(['Dataset.name', 'Query._service', '_Service.sdl']);
    const offending: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      expect(['Study', 'Patient', 'Review', 'Hospital']).not.toContain(type.name);
      for (const field of Object.values(type.getFields())) {
        const path = `${type.name}.${field.name}`;
        if (PHI_NAMES.test(field.name) && !ALLOWED.has(path)) offending.push(path);
      }
    }
    expect(offending).toEqual([]);
    // No entity of another subgraph can be resolved through this one.
    expect(schema.getQueryType()!.getFields()._entities).toBeUndefined();
  });
});
