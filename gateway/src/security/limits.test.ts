import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from './limits.js';

const schema = buildSchema(`
  type Query { patients(first: Int): PatientConnection!, patient(id: ID!): Patient }
  type PatientConnection { nodes: [Patient!]! }
  type Patient { id: ID!, name: String!, studies(first: Int): StudyConnection!, friend: Patient }
  type StudyConnection { nodes: [Study!]! }
  type Study { id: ID!, patient: Patient! }
`);
const limits = { maxDepth: 5, maxCost: 1000, defaultListSize: 10, variableListSize: 100 };
const check = (query: string) => validate(schema, parse(query), [...specifiedRules, queryLimitsRule(limits)]);

describe('queryLimitsRule', () => {
  it('accepts a reasonable query', () => {
    expect(check('{ patients(first: 20) { nodes { id name } } }')).toEqual([]);
  });

  it('refuses a query deeper than the limit, fragments included', () => {
    const errors = check('{ patient(id: "1") { ...F } } fragment F on Patient { friend { friend { friend { friend { friend { id } } } } } }');
    expect(errors.map((e) => e.message)).toEqual(['Query depth 7 exceeds the limit of 5']);
  });

  it('refuses a query whose pages multiply past the cost limit', () => {
    const errors = check('{ patients(first: 100) { nodes { studies(first: 100) { nodes { id } } } } }');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^Query cost \d+ exceeds the limit of 1000$/);
    expect(errors[0]!.extensions.code).toBe('QUERY_TOO_COSTLY');
  });
});
