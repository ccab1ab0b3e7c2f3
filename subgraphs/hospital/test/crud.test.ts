import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, PATIENT_FIELDS, startHospital, STUDY_FIELDS, type Hospital } from './harness.js';

const PATIENTS = `query ($hospitalId: ID!, $first: Int, $after: String, $filter: PatientFilter) {
  patients(hospitalId: $hospitalId, first: $first, after: $after, filter: $filter) {
    edges { cursor node { id name mrn sex birthDate } }
    pageInfo { endCursor hasNextPage }
    totalCount
  }
}`;

const STUDIES = `query ($hospitalId: ID!, $first: Int, $after: String, $filter: StudyFilter) {
  studies(hospitalId: $hospitalId, first: $first, after: $after, filter: $filter) {
    edges { cursor node { id accessionNumber modality status acquiredAt patient { id name } } }
    pageInfo { endCursor hasNextPage }
    totalCount
  }
}`;

type Connection<N> = { edges: { cursor: string; node: N }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean }; totalCount: number };

describe('patients and studies as an integration', () => {
  let h: Hospital;
  beforeAll(async () => {
    h = await startHospital();
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('patients', () => {
    it('creates a patient that can be read back by id', async () => {
      const created = await h.seed.patient({ mrn: 'MRN-0001', name: 'Grace Hopper', birthDate: '1906-12-09', sex: 'FEMALE' });
      expect(created).toMatchObject({ hospitalId: h.id, mrn: 'MRN-0001', name: 'Grace Hopper', birthDate: '1906-12-09', sex: 'FEMALE' });

      const res = await h.run<{ patient: Record<string, unknown> }>(
        `query ($hospitalId: ID!, $id: ID!) { patient(hospitalId: $hospitalId, id: $id) { ${PATIENT_FIELDS} } }`,
        { hospitalId: h.id, id: created.id },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.patient).toEqual(created);
    });

    it('returns null for an unknown patient', async () => {
      const res = await h.run(`query ($hospitalId: ID!) { patient(hospitalId: $hospitalId, id: "${crypto.randomUUID()}") { id } }`, {
        hospitalId: h.id,
      });
      expect(res.errors).toBeUndefined();
      expect(res.data?.patient).toBeNull();
    });

    it('updates only the given fields', async () => {
      const created = await h.seed.patient({ name: 'Alan Turing', sex: 'MALE', birthDate: '1912-06-23' });
      const res = await h.run<{ updatePatient: Record<string, string> }>(
        `mutation ($hospitalId: ID!, $id: ID!, $input: UpdatePatientInput!) {
           updatePatient(hospitalId: $hospitalId, id: $id, input: $input) { ${PATIENT_FIELDS} } }`,
        { hospitalId: h.id, id: created.id, input: { name: 'Alan M. Turing' } },
      );
      expect(res.errors).toBeUndefined();
      const updated = res.data!.updatePatient;
      expect(updated).toMatchObject({ id: created.id, name: 'Alan M. Turing', mrn: created.mrn, birthDate: '1912-06-23', sex: 'MALE' });
      expect(updated.createdAt).toBe(created.createdAt);
      expect(new Date(updated.updatedAt!).getTime()).toBeGreaterThan(new Date(created.updatedAt).getTime());
    });

    it('refuses a second patient with the same MRN with CONFLICT, also on update', async () => {
      const first = await h.seed.patient({ mrn: 'MRN-DUP' });
      const dup = await h.run(
        `mutation ($hospitalId: ID!) { createPatient(hospitalId: $hospitalId, input: { mrn: "MRN-DUP", name: "X", birthDate: "2000-01-01", sex: OTHER }) { id } }`,
        { hospitalId: h.id },
      );
      expect(errorCodes(dup)).toEqual(['CONFLICT']);
      expect(dup.errors![0]!.message).toMatch(/MRN already exists/);

      const other = await h.seed.patient();
      const update = await h.run(
        `mutation ($hospitalId: ID!, $id: ID!) { updatePatient(hospitalId: $hospitalId, id: $id, input: { mrn: "MRN-DUP" }) { id } }`,
        { hospitalId: h.id, id: other.id },
      );
      expect(errorCodes(update)).toEqual(['CONFLICT']);
      const list = await h.run<{ patients: Connection<{ id: string }> }>(PATIENTS, { hospitalId: h.id, filter: { mrn: 'MRN-DUP' } });
      expect(list.data?.patients.edges.map((e) => e.node.id)).toEqual([first.id]);
    });

    it.each([
      [{ mrn: '  ', name: 'A', birthDate: '2000-01-01', sex: 'MALE' }, /mrn must not be empty/],
      [{ mrn: 'M-1', name: '', birthDate: '2000-01-01', sex: 'MALE' }, /name must not be empty/],
      [{ mrn: 'M-2', name: 'A'.repeat(201), birthDate: '2000-01-01', sex: 'MALE' }, /name must be at most 200/],
      [{ mrn: 'M-3', name: 'A', birthDate: '2999-01-01', sex: 'MALE' }, /birthDate must not be in the future/],
      [{ mrn: 'M-4', name: 'A', birthDate: '1999-02-30', sex: 'MALE' }, /birthDate|LocalDate/],
      [{ mrn: 'M-5', name: 'A', birthDate: '01/02/2000', sex: 'MALE' }, /birthDate|LocalDate/],
      [{ mrn: 'M-6', name: 'A', birthDate: '2000-01-01', sex: 'ROBOT' }, /Sex/],
    ])('refuses invalid input %j with BAD_USER_INPUT', async (input, message) => {
      const res = await h.run(
        `mutation ($hospitalId: ID!, $input: CreatePatientInput!) { createPatient(hospitalId: $hospitalId, input: $input) { id } }`,
        { hospitalId: h.id, input },
      );
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0]!.message).toMatch(message);
    });

    it('filters by name, MRN, sex and birth date', async () => {
      const tag = crypto.randomUUID().slice(0, 6);
      const a = await h.seed.patient({ name: `Marie ${tag} Curie`, sex: 'FEMALE', birthDate: '1967-11-07' });
      const b = await h.seed.patient({ name: `Pierre ${tag} Curie`, sex: 'MALE', birthDate: '1959-05-15' });
      const c = await h.seed.patient({ name: `Irène ${tag}`, sex: 'FEMALE', birthDate: '1997-09-12' });
      const ids = async (filter: Record<string, unknown>) => {
        const res = await h.run<{ patients: Connection<{ id: string }> }>(PATIENTS, { hospitalId: h.id, filter });
        expect(res.errors).toBeUndefined();
        return res.data!.patients.edges.map((e) => e.node.id);
      };
      expect(await ids({ nameContains: `${tag} CURIE` })).toEqual([b.id, a.id]);
      expect(await ids({ nameContains: tag, sex: 'FEMALE' })).toEqual([c.id, a.id]);
      expect(await ids({ nameContains: tag, bornAfter: '1959-05-15', bornBefore: '1997-09-12' })).toEqual([b.id, a.id]);
      expect(await ids({ mrn: b.mrn })).toEqual([b.id]);
      expect(await ids({ nameContains: `${tag}%` })).toEqual([]);
    });
  });

  describe('studies', () => {
    it('creates a study with defaults, finds it by accession number, and resolves its patient', async () => {
      const patient = await h.seed.patient({ name: 'Rosalind Franklin' });
      const study = await h.seed.study(patient.id, { accessionNumber: 'ACC-1000' });
      expect(study).toMatchObject({ hospitalId: h.id, accessionNumber: 'ACC-1000', modality: 'DX', bodyPart: 'CHEST', status: 'REGISTERED' });
      expect(Math.abs(new Date(study.acquiredAt).getTime() - Date.now())).toBeLessThan(60_000);

      const res = await h.run<{ studyByAccessionNumber: Record<string, unknown> }>(
        `query ($hospitalId: ID!) { studyByAccessionNumber(hospitalId: $hospitalId, accessionNumber: "ACC-1000") {
           ${STUDY_FIELDS} patient { id name } } }`,
        { hospitalId: h.id },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.studyByAccessionNumber).toEqual({ ...study, image: null, patient: { id: patient.id, name: 'Rosalind Franklin' } });

      const byId = await h.run<{ study: { accessionNumber: string } }>(
        `query ($hospitalId: ID!, $id: ID!) { study(hospitalId: $hospitalId, id: $id) { accessionNumber } }`,
        { hospitalId: h.id, id: study.id },
      );
      expect(byId.data?.study.accessionNumber).toBe('ACC-1000');
    });

    it('updates modality, body part and acquisition time', async () => {
      const patient = await h.seed.patient();
      const study = await h.seed.study(patient.id);
      const res = await h.run<{ updateStudy: Record<string, string> }>(
        `mutation ($hospitalId: ID!, $id: ID!, $input: UpdateStudyInput!) { updateStudy(hospitalId: $hospitalId, id: $id, input: $input) { ${STUDY_FIELDS} } }`,
        { hospitalId: h.id, id: study.id, input: { modality: 'cr', acquiredAt: '2024-05-01T08:30:00.000Z' } },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.updateStudy).toMatchObject({ id: study.id, modality: 'CR', bodyPart: 'CHEST', acquiredAt: '2024-05-01T08:30:00.000Z' });
    });

    it('refuses a duplicate accession number with CONFLICT and an unknown patient with NOT_FOUND', async () => {
      const patient = await h.seed.patient();
      await h.seed.study(patient.id, { accessionNumber: 'ACC-DUP' });
      const create = (input: Record<string, unknown>) =>
        h.run(`mutation ($hospitalId: ID!, $input: CreateStudyInput!) { createStudy(hospitalId: $hospitalId, input: $input) { id } }`, {
          hospitalId: h.id,
          input,
        });
      const dup = await create({ patientId: patient.id, accessionNumber: 'ACC-DUP' });
      expect(errorCodes(dup)).toEqual(['CONFLICT']);
      expect(errorCodes(await create({ patientId: crypto.randomUUID(), accessionNumber: 'ACC-X' }))).toEqual(['NOT_FOUND']);
      expect(errorCodes(await create({ patientId: 'not-a-uuid', accessionNumber: 'ACC-Y' }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await create({ patientId: patient.id, accessionNumber: 'ACC-Z', modality: 'X-RAY!' }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await create({ patientId: patient.id, accessionNumber: 'ACC-Z', acquiredAt: '2999-01-01T00:00:00Z' }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      const none = await h.run<{ studyByAccessionNumber: null }>(
        `query ($hospitalId: ID!) { studyByAccessionNumber(hospitalId: $hospitalId, accessionNumber: "ACC-Z") { id } }`,
        { hospitalId: h.id },
      );
      expect(none.data?.studyByAccessionNumber).toBeNull();
    });

    it('filters by patient, status, modality and acquisition time, and lists a patient\'s studies', async () => {
      const patient = await h.seed.patient();
      const other = await h.seed.patient();
      const s1 = await h.seed.study(patient.id, { modality: 'CR', acquiredAt: '2024-01-10T10:00:00Z' });
      const s2 = await h.seed.study(patient.id, { modality: 'DX', acquiredAt: '2024-02-10T10:00:00Z' });
      const s3 = await h.seed.study(patient.id, { modality: 'DX', acquiredAt: '2024-03-10T10:00:00Z' });
      await h.seed.study(other.id, { modality: 'DX', acquiredAt: '2024-02-10T10:00:00Z' });
      const ids = async (filter: Record<string, unknown>) => {
        const res = await h.run<{ studies: Connection<{ id: string }> }>(STUDIES, { hospitalId: h.id, filter });
        expect(res.errors).toBeUndefined();
        return res.data!.studies.edges.map((e) => e.node.id);
      };
      expect(await ids({ patientId: patient.id })).toEqual([s3.id, s2.id, s1.id]);
      expect(await ids({ patientId: patient.id, modality: 'dx' })).toEqual([s3.id, s2.id]);
      expect(await ids({ patientId: patient.id, status: 'REGISTERED' })).toHaveLength(3);
      expect(await ids({ patientId: patient.id, status: 'REVIEWED' })).toEqual([]);
      expect(await ids({ patientId: patient.id, acquiredAfter: '2024-02-10T10:00:00Z', acquiredBefore: '2024-03-10T10:00:00Z' })).toEqual([
        s2.id,
      ]);

      const nested = await h.run<{ patient: { studies: Connection<{ id: string }> } }>(
        `query ($hospitalId: ID!, $id: ID!) { patient(hospitalId: $hospitalId, id: $id) {
           studies(first: 2) { edges { node { id } } pageInfo { hasNextPage } totalCount } } }`,
        { hospitalId: h.id, id: patient.id },
      );
      expect(nested.data?.patient.studies).toEqual({
        edges: [{ node: { id: s3.id } }, { node: { id: s2.id } }],
        pageInfo: { hasNextPage: true },
        totalCount: 3,
      });
    });
  });

  describe("patients' studies in a list", () => {
    it('loads the first page of every listed patient together, with the same pages as one by one', async () => {
      const tag = `Batch${crypto.randomUUID().slice(0, 6)}`;
      const expected = new Map<string, string[]>();
      for (const count of [0, 1, 3, 2, 5, 1]) {
        const patient = await h.seed.patient({ name: `${tag} ${count}` });
        const ids: string[] = [];
        for (let i = 0; i < count; i += 1) ids.push((await h.seed.study(patient.id, { modality: 'DX' })).id);
        expected.set(patient.id, ids.reverse()); // newest first
      }
      type Nested = { id: string; studies: Connection<{ id: string }> & { pageInfo: { endCursor: string | null } } };
      const LIST = `query ($hospitalId: ID!, $filter: PatientFilter) {
        patients(hospitalId: $hospitalId, first: 20, filter: $filter) { edges { node { id
          studies(first: 2) { edges { node { id } } pageInfo { endCursor hasNextPage } totalCount } } } } }`;

      const statements: string[] = [];
      const count = (query: { sql: string }) => statements.push(query.sql);
      const knex = h.server.orm.em.getKnex();
      knex.on('query', count);
      const res = await h.run<{ patients: Connection<Nested> }>(LIST, { hospitalId: h.id, filter: { nameContains: tag } });
      knex.off('query', count);
      expect(res.errors).toBeUndefined();
      const listed = res.data!.patients.edges.map((e) => e.node);
      expect(listed).toHaveLength(6);
      for (const patient of listed) {
        const ids = expected.get(patient.id)!;
        expect(patient.studies.edges.map((e) => e.node.id)).toEqual(ids.slice(0, 2));
        expect(patient.studies.totalCount).toBe(ids.length);
        expect(patient.studies.pageInfo.hasNextPage).toBe(ids.length > 2);
      }
      // The patients page (rows + count) and the studies of all six (rows + counts), not 2 per patient.
      expect(statements.filter((sql) => /\bstudy\b/.test(sql))).toHaveLength(2);

      // The next page after a cursor continues where the first stopped.
      const five = listed.find((p) => expected.get(p.id)!.length === 5)!;
      const next = await h.run<{ patient: Nested }>(
        `query ($hospitalId: ID!, $id: ID!, $after: String) { patient(hospitalId: $hospitalId, id: $id) { id
           studies(first: 2, after: $after) { edges { node { id } } pageInfo { endCursor hasNextPage } totalCount } } }`,
        { hospitalId: h.id, id: five.id, after: five.studies.pageInfo.endCursor },
      );
      expect(next.data!.patient.studies.edges.map((e) => e.node.id)).toEqual(expected.get(five.id)!.slice(2, 4));
      expect(next.data!.patient.studies.pageInfo.hasNextPage).toBe(true);
    });
  });

  describe('cursor pagination', () => {
    it('walks 3 pages without duplicates or gaps, even when rows are added meanwhile', async () => {
      const tag = `Page${crypto.randomUUID().slice(0, 6)}`;
      const created: string[] = [];
      for (let i = 0; i < 7; i += 1) created.push((await h.seed.patient({ name: `${tag} ${i}` })).id);
      const newestFirst = [...created].reverse();

      const seen: string[] = [];
      let after: string | null = null;
      const pages: number[] = [];
      for (let page = 0; page < 3; page += 1) {
        const res: Awaited<ReturnType<typeof h.run<{ patients: Connection<{ id: string }> }>>> = await h.run(PATIENTS, {
          hospitalId: h.id,
          first: 3,
          after,
          filter: { nameContains: tag },
        });
        expect(res.errors).toBeUndefined();
        const conn = res.data!.patients;
        expect(conn.totalCount).toBe(page === 0 ? 7 : 8);
        pages.push(conn.edges.length);
        seen.push(...conn.edges.map((e) => e.node.id));
        expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1)!.cursor);
        expect(conn.pageInfo.hasNextPage).toBe(page < 2);
        after = conn.pageInfo.endCursor;
        // A patient created while paging is newer than every cursor and must not shift the pages.
        if (page === 0) await h.seed.patient({ name: `${tag} late` });
      }
      expect(pages).toEqual([3, 3, 1]);
      expect(seen).toEqual(newestFirst);
    });

    it('refuses a malformed cursor and a page size over 100', async () => {
      const bad = await h.run(PATIENTS, { hospitalId: h.id, after: 'bm90IGEgY3Vyc29y' });
      expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
      expect(bad.errors![0]!.message).toMatch(/cursor/);
      const big = await h.run(PATIENTS, { hospitalId: h.id, first: 101 });
      expect(errorCodes(big)).toEqual(['BAD_USER_INPUT']);
      const zero = await h.run(STUDIES, { hospitalId: h.id, first: 0 });
      expect(errorCodes(zero)).toEqual(['BAD_USER_INPUT']);
    });
  });
});
