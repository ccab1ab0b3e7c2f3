import { readFileSync } from 'node:fs';
import { TestIssuer, tamperToken, unsignedToken } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHospitalSchema } from '../src/schema.js';
import { errorCodes, startHospital, type Hospital } from './harness.js';

describe('authorization at the hospital instance', () => {
  let h: Hospital;
  let patientId: string;
  let studyId: string;
  /** The write checks change this one, so the read checks can look for an unchanged name. */
  let writablePatientId: string;

  beforeAll(async () => {
    h = await startHospital();
    const patient = await h.seed.patient({ name: 'Kept Private' });
    patientId = patient.id;
    studyId = (await h.seed.study(patient.id, { accessionNumber: 'ACC-AUTH' })).id;
    writablePatientId = (await h.seed.patient({ name: 'Writable' })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** One operation per root field; the coverage test below fails when a new field is missing here. */
  const rootFields = () =>
    ({
      patient: {
        query: 'query ($h: ID!, $id: ID!) { patient(hospitalId: $h, id: $id) { id name } }',
        variables: () => ({ id: patientId }),
      },
      patients: {
        query: 'query ($h: ID!) { patients(hospitalId: $h) { totalCount edges { node { name } } } }',
        variables: () => ({}),
      },
      study: {
        query: 'query ($h: ID!, $id: ID!) { study(hospitalId: $h, id: $id) { id } }',
        variables: () => ({ id: studyId }),
      },
      studyByAccessionNumber: {
        query:
          'query ($h: ID!) { studyByAccessionNumber(hospitalId: $h, accessionNumber: "ACC-AUTH") { id } }',
        variables: () => ({}),
      },
      studies: { query: 'query ($h: ID!) { studies(hospitalId: $h) { totalCount } }', variables: () => ({}) },
      createPatient: {
        query: `mutation ($h: ID!, $mrn: String!) { createPatient(hospitalId: $h, input: { mrn: $mrn, name: "N", birthDate: "2000-01-01", sex: UNKNOWN }) { id } }`,
        variables: () => ({ mrn: `MRN-${crypto.randomUUID()}` }),
      },
      updatePatient: {
        query:
          'mutation ($h: ID!, $id: ID!) { updatePatient(hospitalId: $h, id: $id, input: { name: "Changed" }) { id } }',
        variables: () => ({ id: writablePatientId }),
      },
      createStudy: {
        query:
          'mutation ($h: ID!, $p: ID!, $acc: String!) { createStudy(hospitalId: $h, input: { patientId: $p, accessionNumber: $acc }) { id } }',
        variables: () => ({ p: patientId, acc: `ACC-${crypto.randomUUID()}` }),
      },
      updateStudy: {
        query:
          'mutation ($h: ID!, $id: ID!) { updateStudy(hospitalId: $h, id: $id, input: { bodyPart: "CHEST" }) { id } }',
        variables: () => ({ id: studyId }),
      },
      createStudyUpload: {
        query:
          'mutation ($h: ID!, $p: ID!) { createStudyUpload(hospitalId: $h, input: { patientId: $p }) { uploadUrl } }',
        variables: () => ({ p: patientId }),
      },
      renewStudyUpload: {
        query: 'mutation ($h: ID!, $s: ID!) { renewStudyUpload(hospitalId: $h, studyId: $s) { uploadUrl } }',
        variables: () => ({ s: studyId }),
      },
      recordReview: {
        query:
          'mutation ($h: ID!, $s: ID!) { recordReview(hospitalId: $h, studyId: $s, finding: NORMAL) { id } }',
        variables: () => ({ s: studyId }),
      },
    }) satisfies Record<string, { query: string; variables: () => Record<string, unknown> }>;
  const READS = ['patient', 'patients', 'study', 'studyByAccessionNumber', 'studies'] as const;
  const WRITES = [
    'createPatient',
    'updatePatient',
    'createStudy',
    'updateStudy',
    'createStudyUpload',
    'renewStudyUpload',
  ] as const;
  const REVIEWS = ['recordReview'] as const;

  it('has a case for every root field of the schema', async () => {
    const schema = await buildHospitalSchema();
    const fields = [schema.getQueryType(), schema.getMutationType()]
      .flatMap((t) => Object.keys(t?.getFields() ?? {}))
      .filter((name) => !name.startsWith('_'));
    expect(fields.sort()).toEqual([...READS, ...WRITES, ...REVIEWS].sort());
  });

  describe('tokens', () => {
    const query = 'query ($h: ID!) { patients(hospitalId: $h) { totalCount } }';

    it('answers 401 without a token', async () => {
      const res = await h.run(query, { h: h.id }, '');
      expect(res.status).toBe(401);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data).toBeUndefined();
    });

    it('answers 401 for an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await h.issuer.sign({
        sub: 'late',
        memberships: [{ hospitalId: h.id, role: 'integration' }],
        issuedAt: now - 3600,
        expiresIn: now - 60,
      });
      const res = await h.run(query, { h: h.id }, expired);
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.message).toMatch(/expired/);
    });

    it('answers 401 for a tampered token (a doctor granting himself the integration role)', async () => {
      const forged = tamperToken(h.tokens.doctor, {
        memberships: [{ hospitalId: h.id, role: 'integration' }],
      });
      const res = await h.run(query, { h: h.id }, forged);
      expect(res.status).toBe(401);
    });

    it('answers 401 for an unsigned alg:none token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = unsignedToken({
        iss: h.issuer.issuer,
        aud: h.issuer.audience,
        sub: 'mallory',
        exp: now + 600,
        iat: now,
        memberships: [{ hospitalId: h.id, role: 'integration' }],
      });
      const res = await h.run(query, { h: h.id }, token);
      expect(res.status).toBe(401);
    });

    it('answers 401 for a token of an issuer it does not trust', async () => {
      const rogue = await TestIssuer.start();
      try {
        const token = await rogue.sign({
          sub: 'rogue',
          memberships: [{ hospitalId: h.id, role: 'integration' }],
        });
        const res = await h.run(query, { h: h.id }, token);
        expect(res.status).toBe(401);
      } finally {
        await rogue.stop();
      }
    });
  });

  it("refuses a doctor of another hospital this hospital's patient, straight at the subgraph", async () => {
    const res = await h.run(rootFields().patient.query, { h: h.id, id: patientId }, h.tokens.otherDoctor);
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data?.patient ?? null).toBeNull();
    expect(JSON.stringify(res)).not.toContain('Kept Private');
  });

  it("refuses a request naming another hospital, even from that hospital's own members", async () => {
    for (const token of [h.tokens.integration, h.tokens.otherIntegration]) {
      const res = await h.run(rootFields().patient.query, { h: h.otherHospitalId, id: patientId }, token);
      expect(errorCodes(res)).toEqual(['FORBIDDEN']);
      expect(res.errors![0]!.message).toBe(`this instance serves hospital ${h.id}`);
      expect(JSON.stringify(res)).not.toContain('Kept Private');
    }
  });

  it.each([
    ['researcher', (h: Hospital) => h.tokens.researcher],
    ['admin without a membership', (h: Hospital) => h.tokens.admin],
  ])('refuses a %s on every root field', async (_who, token) => {
    for (const [field, { query, variables }] of Object.entries(rootFields())) {
      const res = await h.run(query, { h: h.id, ...variables() }, token(h));
      expect({ field, codes: errorCodes(res) }).toEqual({ field, codes: ['FORBIDDEN'] });
      expect(JSON.stringify(res)).not.toContain('Kept Private');
    }
  });

  it('lets doctors read but not write, and technicians and integrations do both', async () => {
    for (const field of READS) {
      const { query, variables } = rootFields()[field];
      const res = await h.run(query, { h: h.id, ...variables() }, h.tokens.doctor);
      expect({ field, errors: res.errors }).toEqual({ field, errors: undefined });
    }
    for (const field of WRITES) {
      const { query, variables } = rootFields()[field];
      const doctor = await h.run(query, { h: h.id, ...variables() }, h.tokens.doctor);
      expect({ field, codes: errorCodes(doctor) }).toEqual({ field, codes: ['FORBIDDEN'] });
      for (const token of [h.tokens.technician, h.tokens.integration]) {
        const res = await h.run(query, { h: h.id, ...variables() }, token);
        expect({ field, errors: res.errors }).toEqual({ field, errors: undefined });
      }
    }
  });

  it('lets only doctors of this hospital review', async () => {
    for (const field of REVIEWS) {
      const { query, variables } = rootFields()[field];
      for (const token of [h.tokens.technician, h.tokens.integration, h.tokens.otherDoctor]) {
        const res = await h.run(query, { h: h.id, ...variables() }, token);
        expect({ field, codes: errorCodes(res) }).toEqual({ field, codes: ['FORBIDDEN'] });
      }
      // The doctor passes the guard and reaches the service, which refuses a study without an image.
      const doctor = await h.run(query, { h: h.id, ...variables() }, h.tokens.doctor);
      expect({ field, codes: errorCodes(doctor) }).toEqual({ field, codes: ['BAD_USER_INPUT'] });
    }
  });

  /** One case per entity type the gateway can resolve here: a field that is only for this hospital's staff. */
  const entityCases = () => ({
    Patient: { id: patientId, selection: 'id name', visible: { id: patientId, name: 'Kept Private' } },
    Study: {
      id: studyId,
      selection: 'id accessionNumber',
      visible: { id: studyId, accessionNumber: 'ACC-AUTH' },
    },
  });

  it('has an entity case for every entity type of the schema', async () => {
    const sdl = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    const keyed = [...sdl.matchAll(/^type (\w+)\s+@key/gm)].map((m) => m[1]);
    expect(keyed.sort()).toEqual(Object.keys(entityCases()).sort());
  });

  it('refuses entity references of another hospital or from a caller without a role here', async () => {
    for (const [typename, { id, selection, visible }] of Object.entries(entityCases())) {
      const entities = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { ${selection} } } }`;
      const representations = [
        { __typename: typename, hospitalId: h.id, id },
        { __typename: typename, hospitalId: h.otherHospitalId, id },
      ];
      const res = await h.run<{ _entities: (Record<string, unknown> | null)[] }>(
        entities,
        { r: representations },
        h.tokens.doctor,
      );
      expect({ typename, entities: res.data?._entities }).toEqual({ typename, entities: [visible, null] });
      expect(
        res.errors?.map((e) => [(e as { path?: unknown[] }).path, e.extensions?.code, e.message]),
      ).toEqual([[['_entities', 1], 'FORBIDDEN', `this instance serves hospital ${h.id}`]]);

      for (const token of [h.tokens.researcher, h.tokens.admin, h.tokens.otherDoctor]) {
        const refused = await h.run<{ _entities: unknown[] }>(
          entities,
          { r: representations.slice(0, 1) },
          token,
        );
        expect({ typename, entities: refused.data?._entities, codes: errorCodes(refused) }).toEqual({
          typename,
          entities: [null],
          codes: ['FORBIDDEN'],
        });
        expect(JSON.stringify(refused)).not.toContain('Kept Private');
        expect(JSON.stringify(refused)).not.toContain('ACC-AUTH');
      }
    }
  });
});
