import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHospital, type Hospital } from './harness.js';

const ENTITIES = `query ($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on Patient { id hospitalId name }
    ... on Study { id hospitalId accessionNumber }
  }
}`;

describe('_entities (how the gateway resolves Patient and Study references)', () => {
  let h: Hospital;
  beforeAll(async () => {
    h = await startHospital();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('returns several studies and patients in the requested order with one query per type', async () => {
    const p1 = await h.seed.patient({ name: 'First Patient' });
    const p2 = await h.seed.patient({ name: 'Second Patient' });
    const s1 = await h.seed.study(p1.id, { accessionNumber: 'E-1' });
    const s2 = await h.seed.study(p2.id, { accessionNumber: 'E-2' });
    const s3 = await h.seed.study(p1.id, { accessionNumber: 'E-3' });
    const missing = crypto.randomUUID();
    const ref = (__typename: string, id: string) => ({ __typename, hospitalId: h.id, id });
    const representations = [
      ref('Study', s3.id),
      ref('Patient', p2.id),
      ref('Study', s1.id),
      ref('Study', missing),
      ref('Patient', p1.id),
      ref('Study', s2.id),
      ref('Study', s1.id),
    ];

    const logQuery = vi.spyOn(h.server.orm.config.getLogger(), 'logQuery');
    const res = await h.run<{ _entities: unknown[] }>(ENTITIES, { r: representations }, h.tokens.doctor);
    const selects = logQuery.mock.calls.map(([context]) => String(context.query)).filter((q) => /^select/i.test(q));
    logQuery.mockRestore();

    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { __typename: 'Study', id: s3.id, hospitalId: h.id, accessionNumber: 'E-3' },
      { __typename: 'Patient', id: p2.id, hospitalId: h.id, name: 'Second Patient' },
      { __typename: 'Study', id: s1.id, hospitalId: h.id, accessionNumber: 'E-1' },
      null,
      { __typename: 'Patient', id: p1.id, hospitalId: h.id, name: 'First Patient' },
      { __typename: 'Study', id: s2.id, hospitalId: h.id, accessionNumber: 'E-2' },
      { __typename: 'Study', id: s1.id, hospitalId: h.id, accessionNumber: 'E-1' },
    ]);
    expect(selects.filter((q) => /from "study"/.test(q))).toHaveLength(1);
    expect(selects.filter((q) => /from "patient"/.test(q))).toHaveLength(1);
    expect(selects).toHaveLength(2);
  });

  it('batches the patients of many studies in a list into one query', async () => {
    const patients = [await h.seed.patient(), await h.seed.patient(), await h.seed.patient()];
    for (const p of patients) await h.seed.study(p.id, { modality: 'CR' });

    const logQuery = vi.spyOn(h.server.orm.config.getLogger(), 'logQuery');
    const res = await h.run<{ studies: { edges: { node: { patient: { id: string } } }[] } }>(
      `query ($h: ID!) { studies(hospitalId: $h, first: 3, filter: { modality: "CR" }) { edges { node { patient { id } } } } }`,
      { h: h.id },
      h.tokens.doctor,
    );
    const patientSelects = logQuery.mock.calls.map(([c]) => String(c.query)).filter((q) => /^select.*from "patient"/i.test(q));
    logQuery.mockRestore();

    expect(res.data?.studies.edges.map((e) => e.node.patient.id)).toEqual(patients.map((p) => p.id).reverse());
    expect(patientSelects).toHaveLength(1);
  });
});
