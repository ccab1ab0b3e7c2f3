import { describe, expect, it } from 'vitest';
import { groupRepresentationsByHospital, isEntitiesFetch, RoutingError, splitRootFieldsByHospital } from './split-operation.js';

describe('splitRootFieldsByHospital', () => {
  it('sends a single-hospital fetch unchanged', () => {
    const request = { query: 'query($h: ID!) { patients(hospitalId: $h) { totalCount } }', variables: { h: 'a' } };
    expect(splitRootFieldsByHospital(request)).toEqual([{ hospitalId: 'a', request }]);
  });

  it('splits fields of different hospitals and keeps only the variables each uses', () => {
    const request = {
      query:
        'query Q($a: ID!, $b: ID!, $first: Int) { one: patients(hospitalId: $a, first: $first) { totalCount } two: patients(hospitalId: $b) { totalCount } three: study(hospitalId: "c", id: "s") { id } }',
      variables: { a: 'A', b: 'B', first: 5 },
      operationName: 'Q',
    };
    const fetches = splitRootFieldsByHospital(request);
    expect(fetches.map((f) => f.hospitalId)).toEqual(['A', 'B', 'c']);
    expect(fetches[0]!.request.variables).toEqual({ a: 'A', first: 5 });
    expect(fetches[0]!.request.query).toContain('one: patients');
    expect(fetches[0]!.request.query).not.toContain('two:');
    expect(fetches[1]!.request.query).not.toContain('$first');
    expect(fetches[2]!.request.variables).toEqual({});
  });

  it('refuses a root field without hospitalId', () => {
    expect(() => splitRootFieldsByHospital({ query: '{ patients { totalCount } }', variables: {} })).toThrow(RoutingError);
  });
});

describe('groupRepresentationsByHospital', () => {
  it('groups by hospital and remembers the original positions', () => {
    const groups = groupRepresentationsByHospital([
      { __typename: 'Study', hospitalId: 'a', id: '1' },
      { __typename: 'Study', hospitalId: 'b', id: '2' },
      { __typename: 'Patient', hospitalId: 'a', id: '3' },
    ]);
    expect(groups.get('a')!.indexes).toEqual([0, 2]);
    expect(groups.get('b')!.indexes).toEqual([1]);
  });

  it('detects entity fetches', () => {
    expect(isEntitiesFetch({ query: 'query($representations:[_Any!]!){_entities(representations:$representations){__typename}}', variables: { representations: [] } })).toBe(true);
    expect(isEntitiesFetch({ query: '{ patients(hospitalId: "a") { totalCount } }', variables: {} })).toBe(false);
  });
});
