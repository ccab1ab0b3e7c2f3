import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabeledExample } from '../src/labeled-example/labeled-example.entity.js';
import {
  hospitalId,
  labeledExample,
  processed,
  publishAndWait,
  publishLabeled,
  publishRaw,
  startHarness,
  waitFor,
  type Harness,
} from './harness.js';

const EXAMPLES_QUERY = /* GraphQL */ `
  query Examples($first: Int, $after: String, $finding: ResearchFinding, $hospitalId: ID, $modelVersion: String) {
    labeledExamples(first: $first, after: $after, finding: $finding, hospitalId: $hospitalId, modelVersion: $modelVersion) {
      edges {
        cursor
        node {
          id hospitalId pseudonym finding modelVersion modelRisk modelLabel ageBand sex studyYear
          imageSha256 imageWidth imageHeight textRegionsRemoved
        }
      }
      pageInfo { endCursor hasNextPage }
      totalCount
    }
  }
`;

interface ExampleNode {
  id: string;
  hospitalId: string;
  pseudonym: string;
  finding: string;
  modelVersion: string | null;
  modelRisk: number | null;
  modelLabel: string | null;
  ageBand: string | null;
}
interface ExamplesResult {
  labeledExamples: {
    edges: { cursor: string; node: ExampleNode }[];
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
    totalCount: number;
  };
}

const SUMMARY_QUERY = /* GraphQL */ `
  {
    researchSummary {
      total
      byFinding { finding count }
      byHospital { hospitalId count pneumonia normal uncertain }
      byModelVersion { modelVersion count }
    }
  }
`;
interface SummaryResult {
  researchSummary: {
    total: number;
    byFinding: { finding: string; count: number }[];
    byHospital: { hospitalId: string; count: number; pneumonia: number; normal: number; uncertain: number }[];
    byModelVersion: { modelVersion: string | null; count: number }[];
  };
}

const AGREEMENT_QUERY = /* GraphQL */ `
  query Agreement($modelVersion: String, $bucket: AgreementBucket) {
    modelAgreement(modelVersion: $modelVersion, bucket: $bucket) {
      modelVersion bucketStart n positives negatives auc sensitivity specificity accuracy
    }
  }
`;
interface AgreementResult {
  modelAgreement: {
    modelVersion: string;
    bucketStart: string | null;
    n: number;
    positives: number;
    negatives: number;
    auc: number | null;
    sensitivity: number | null;
    specificity: number | null;
    accuracy: number | null;
  }[];
}

const model = (version: string, risk: number) => ({ version, risk, label: risk >= 0.5 ? ('pneumonia' as const) : ('normal' as const) });

describe('labelled examples (research.labeled.*)', () => {
  let h: Harness;
  const row = (id: string) => h.server.orm.em.fork().findOne(LabeledExample, { exampleId: id });

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('indexes an example once, however often it arrives', async () => {
    const hospital = hospitalId('idem');
    const event = await labeledExample(h, { hospitalId: hospital, finding: 'pneumonia', model: model('videm', 0.8), ageBand: '90-94' });
    await publishAndWait(h, [event]);
    expect(await row(event.exampleId)).toMatchObject({
      hospitalId: hospital,
      finding: 'pneumonia',
      modelVersion: 'videm',
      modelRisk: 0.8,
      modelLabel: 'pneumonia',
      // Safe Harbor: ages over 89 are one group.
      ageBand: '90+',
      imageBucket: h.topology.buckets.research,
    });
    const indexedBefore = h.server.consumers.indexed;

    // Past JetStream's de-duplication (another message id), and a replay with other content.
    const before = processed(h);
    await publishLabeled(h, event, `again-${event.exampleId}`);
    await publishLabeled(h, { ...event, finding: 'normal' }, `changed-${event.exampleId}`);
    await waitFor(() => processed(h) >= before + 2, 'replays processed');
    expect(h.server.consumers.indexed).toBe(indexedBefore);
    expect(await h.server.orm.em.fork().count(LabeledExample, { hospitalId: hospital })).toBe(1);
    expect((await row(event.exampleId))?.finding).toBe('pneumonia');
  });

  it('keeps where the de-identified DICOM copy is, and indexes examples without one', async () => {
    const hospital = hospitalId('dcm');
    const plain = await labeledExample(h, { hospitalId: hospital, finding: 'normal' });
    const fromDicom = await labeledExample(h, { hospitalId: hospital, finding: 'pneumonia', model: model('vdcm', 0.7) });
    const dicom = { key: `examples/${fromDicom.exampleId}.dcm`, sha256: 'd'.repeat(64) };
    await publishAndWait(h, [plain, { ...fromDicom, dicom }]);
    expect(await row(fromDicom.exampleId)).toMatchObject({ dicomKey: dicom.key, dicomSha256: dicom.sha256, modelVersion: 'vdcm' });
    expect(await row(plain.exampleId)).toMatchObject({ dicomKey: null, dicomSha256: null });
  });

  it('terminates malformed events without indexing them', async () => {
    const hospital = hospitalId('bad');
    const valid = await labeledExample(h, { hospitalId: hospital, finding: 'normal' });
    const terms = h.server.consumers.stats.labeled.term;
    await publishRaw(h, hospital, '{"not json');
    await publishRaw(h, hospital, { ...valid, pseudonym: undefined });
    // The payload names another hospital than its subject.
    await publishRaw(h, hospital, { ...valid, hospitalId: 'other' });
    // The image is not a de-identified copy in the research bucket.
    await publishRaw(h, hospital, { ...valid, image: { ...valid.image, bucket: `${h.topology.namespace}_images-general` } });
    await waitFor(() => h.server.consumers.stats.labeled.term >= terms + 4, 'four terminated events');
    expect(await h.server.orm.em.fork().count(LabeledExample, { hospitalId: hospital })).toBe(0);

    // The consumer goes on with the next valid event.
    await publishAndWait(h, [valid]);
    expect(await row(valid.exampleId)).not.toBeNull();
  });

  it('counts examples by finding, hospital and model version', async () => {
    const a = hospitalId('suma');
    const b = hospitalId('sumb');
    const version = `vsum${randomBytes(3).toString('hex')}`;
    const { data: before } = await h.gql<SummaryResult>(SUMMARY_QUERY);
    await publishAndWait(h, [
      await labeledExample(h, { hospitalId: a, finding: 'pneumonia', model: model(version, 0.9) }),
      await labeledExample(h, { hospitalId: a, finding: 'normal', model: model(version, 0.1) }),
      await labeledExample(h, { hospitalId: a, finding: 'uncertain', model: model(version, 0.5) }),
      await labeledExample(h, { hospitalId: b, finding: 'pneumonia' }),
    ]);
    const { data, errors } = await h.gql<SummaryResult>(SUMMARY_QUERY);
    expect(errors).toBeUndefined();
    const summary = data!.researchSummary;
    expect(summary.total).toBe(before!.researchSummary.total + 4);
    const finding = (s: SummaryResult['researchSummary'], f: string) => s.byFinding.find((x) => x.finding === f)!.count;
    expect(finding(summary, 'PNEUMONIA') - finding(before!.researchSummary, 'PNEUMONIA')).toBe(2);
    expect(finding(summary, 'NORMAL') - finding(before!.researchSummary, 'NORMAL')).toBe(1);
    expect(finding(summary, 'UNCERTAIN') - finding(before!.researchSummary, 'UNCERTAIN')).toBe(1);
    expect(summary.byHospital).toEqual(
      expect.arrayContaining([
        { hospitalId: a, count: 3, pneumonia: 1, normal: 1, uncertain: 1 },
        { hospitalId: b, count: 1, pneumonia: 1, normal: 0, uncertain: 0 },
      ]),
    );
    expect(summary.byModelVersion).toContainEqual({ modelVersion: version, count: 3 });
    expect(summary.byModelVersion.some((m) => m.modelVersion === null)).toBe(true);
    expect(summary.total).toBe(summary.byFinding.reduce((sum, f) => sum + f.count, 0));
  });

  it('shows how the labelled data grew, per day and per week, with a running total', async () => {
    const hospital = hospitalId('grow');
    // 2025-01-06 is a Monday.
    const days = ['2025-01-06T09:00:00.000Z', '2025-01-08T23:59:00.000Z', '2025-01-08T00:00:00.000Z', '2025-01-14T12:00:00.000Z'];
    await publishAndWait(h, await Promise.all(days.map((occurredAt) => labeledExample(h, { hospitalId: hospital, finding: 'normal', occurredAt }))));
    type Growth = { labeledExampleGrowth: { bucketStart: string; added: number; total: number }[] };
    const growth = async (bucket: string) => {
      const res = await h.gql<Growth>('query G($b: AgreementBucket!) { labeledExampleGrowth(bucket: $b) { bucketStart added total } }', { b: bucket });
      expect(res.errors).toBeUndefined();
      return res.data!.labeledExampleGrowth;
    };
    const daily = await growth('DAY');
    const added = (points: Growth['labeledExampleGrowth'], day: string) => points.find((p) => p.bucketStart.startsWith(day))?.added;
    expect([added(daily, '2025-01-06'), added(daily, '2025-01-08'), added(daily, '2025-01-14')]).toEqual([1, 2, 1]);
    const weekly = await growth('WEEK');
    expect([added(weekly, '2025-01-06'), added(weekly, '2025-01-13')]).toEqual([3, 1]);
    const { data } = await h.gql<SummaryResult>(SUMMARY_QUERY);
    for (const points of [daily, weekly]) {
      expect(points.map((p) => p.bucketStart)).toEqual([...points.map((p) => p.bucketStart)].sort());
      expect(points.every((p, i) => p.total === (points[i - 1]?.total ?? 0) + p.added)).toBe(true);
      expect(points.at(-1)!.total).toBe(data!.researchSummary.total);
    }
  });

  it("measures each model version's agreement with doctors over time", async () => {
    const hospital = hospitalId('agree');
    const v1 = `va${randomBytes(3).toString('hex')}`;
    const v2 = `vb${randomBytes(3).toString('hex')}`;
    const wednesday = '2026-03-04T10:00:00.000Z';
    const thursday = '2026-03-05T18:30:00.000Z';
    const nextTuesday = '2026-03-10T08:00:00.000Z';
    const seed = (finding: 'pneumonia' | 'normal' | 'uncertain', version: string | null, risk: number, occurredAt = wednesday) =>
      labeledExample(h, { hospitalId: hospital, finding, model: version ? model(version, risk) : null, occurredAt });
    await publishAndWait(h, [
      // v1: positives 0.9, 0.6, 0.4; negatives 0.7, 0.2, 0.1 -> AUC 7/9, sensitivity 2/3, specificity 2/3
      await seed('pneumonia', v1, 0.9),
      await seed('pneumonia', v1, 0.6),
      await seed('pneumonia', v1, 0.4, thursday),
      await seed('normal', v1, 0.7),
      await seed('normal', v1, 0.2, thursday),
      await seed('normal', v1, 0.1),
      // Left out: an uncertain finding, and an example no model predicted.
      await seed('uncertain', v1, 0.99),
      await seed('pneumonia', null, 0),
      // v2: a perfect first week, a miss the week after.
      await seed('pneumonia', v2, 0.8),
      await seed('normal', v2, 0.3),
      await seed('pneumonia', v2, 0.2, nextTuesday),
    ]);

    const overall = await h.gql<AgreementResult>(AGREEMENT_QUERY, { modelVersion: v1 });
    expect(overall.errors).toBeUndefined();
    expect(overall.data!.modelAgreement).toHaveLength(1);
    const point = overall.data!.modelAgreement[0]!;
    expect(point).toMatchObject({ modelVersion: v1, bucketStart: null, n: 6, positives: 3, negatives: 3 });
    expect(point.auc).toBeCloseTo(7 / 9, 10);
    expect(point.sensitivity).toBeCloseTo(2 / 3, 10);
    expect(point.specificity).toBeCloseTo(2 / 3, 10);
    expect(point.accuracy).toBeCloseTo(4 / 6, 10);

    const daily = (await h.gql<AgreementResult>(AGREEMENT_QUERY, { modelVersion: v1, bucket: 'DAY' })).data!.modelAgreement;
    expect(daily.map((p) => [p.bucketStart, p.n])).toEqual([
      ['2026-03-04T00:00:00.000Z', 4],
      ['2026-03-05T00:00:00.000Z', 2],
    ]);
    // Thursday: the positive (0.4) is ranked above the negative (0.2) but missed at the threshold.
    expect(daily[1]).toMatchObject({ auc: 1, sensitivity: 0, specificity: 1 });

    const weekly = (await h.gql<AgreementResult>(AGREEMENT_QUERY, { bucket: 'WEEK' })).data!.modelAgreement.filter((p) => p.modelVersion === v2);
    expect(weekly).toEqual([
      expect.objectContaining({ bucketStart: '2026-03-02T00:00:00.000Z', n: 2, auc: 1, sensitivity: 1, specificity: 1 }),
      expect.objectContaining({ bucketStart: '2026-03-09T00:00:00.000Z', n: 1, auc: null, sensitivity: 0, specificity: null }),
    ]);
  });

  it('pages through examples newest first, with filters', async () => {
    const hospital = hospitalId('page');
    const events = [];
    for (const finding of ['pneumonia', 'normal', 'pneumonia', 'uncertain', 'pneumonia'] as const) {
      events.push(await labeledExample(h, { hospitalId: hospital, finding }));
    }
    await publishAndWait(h, events);

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result: { data?: ExamplesResult; errors?: unknown } = await h.gql<ExamplesResult>(EXAMPLES_QUERY, { first: 2, after, hospitalId: hospital });
      expect(result.errors).toBeUndefined();
      const page: ExamplesResult['labeledExamples'] = result.data!.labeledExamples;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(events.map((e) => e.exampleId).reverse());

    const pneumonia = await h.gql<ExamplesResult>(EXAMPLES_QUERY, { hospitalId: hospital, finding: 'PNEUMONIA' });
    expect(pneumonia.data!.labeledExamples.totalCount).toBe(3);
    expect(pneumonia.data!.labeledExamples.edges.every((e) => e.node.finding === 'PNEUMONIA' && e.node.hospitalId === hospital)).toBe(true);

    const bad = await h.gql(EXAMPLES_QUERY, { after: 'not-a-cursor' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await h.gql(EXAMPLES_QUERY, { first: 10_000 });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('never answers with patient data a hospital leaked into an event', async () => {
    const hospital = hospitalId('phi');
    const leaks = { patientName: 'Jane Quincy Doe', mrn: 'MRN-00424242', birthDate: '1950-02-03', notes: 'Lives at 12 Elm Street, Springfield' };
    // From here on every response of the service is also scanned for them (harness: fails the file on a hit).
    h.phi.add(...Object.values(leaks));
    const seeded = [
      await labeledExample(h, { hospitalId: hospital, finding: 'pneumonia', model: model('vphi', 0.7) }),
      await labeledExample(h, { hospitalId: hospital, finding: 'normal' }),
    ];
    const before = processed(h);
    for (const event of seeded) await publishRaw(h, hospital, { ...event, ...leaks, image: { ...event.image, patientName: leaks.patientName } });
    await waitFor(() => processed(h) >= before + seeded.length, 'leaky events processed');

    const examplesResponse = await h.gql<ExamplesResult>(EXAMPLES_QUERY, { hospitalId: hospital });
    const responses = [examplesResponse, await h.gql(SUMMARY_QUERY), await h.gql(AGREEMENT_QUERY, { bucket: 'DAY' })];
    const text = JSON.stringify(responses);
    for (const leak of Object.values(leaks)) expect(text).not.toContain(leak);
    expect(text).not.toMatch(/Jane|Doe|MRN|1950|Elm Street/);

    // The only identity in the answers is the keyed pseudonym the hospital sent.
    const examples = examplesResponse.data!.labeledExamples.edges.map((e) => e.node);
    expect(new Set(examples.map((e) => e.pseudonym))).toEqual(new Set(seeded.map((e) => e.pseudonym)));
    const row = await h.server.orm.em.fork().getConnection().execute(`select row_to_json(e)::text as json from labeled_example e where hospital_id = ?`, [hospital]);
    expect(JSON.stringify(row)).not.toMatch(/Jane|MRN-|1950-02-03|Elm Street/);
  });
});
