import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, PredictionCreatedV1, TriageUpdatedV1 } from '@triage/contracts';
import { connectNats, type NatsConnection } from '@triage/nats';
import { eventually, freePort, SYSTEM_PYTHON, TEST_NATS_URL } from '@triage/testing';
import sharp from 'sharp';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { startResearch, type ResearchService } from './support/research.js';
import { Pipeline, uploadThroughGateway } from './support/pipeline.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED_NPZ = path.resolve(REPO_ROOT, '../shared/data/pneumoniamnist.npz');

/**
 * The research loop end to end: doctors review 20 studies -> 20 de-identified examples indexed ->
 * dataset snapshot exported -> research/ trains on it -> publish -> shadow -> activate -> the
 * worker's next predictions carry the new version.
 */
describe('research loop', () => {
  let pipeline: Pipeline;
  let research: ResearchService | undefined;
  let nc: NatsConnection;
  const predictions: PredictionCreatedV1[] = [];
  const triageUpdates: TriageUpdatedV1[] = [];

  beforeAll(async () => {
    const researchPort = await freePort();
    pipeline = await Pipeline.start({ RESEARCH_URL: `http://127.0.0.1:${researchPort}/graphql` });
    const p = pipeline.platform;
    research = await startResearch(p, researchPort);
    nc = await connectNats({ url: TEST_NATS_URL, name: 'e2e-research-loop' });
    const sub = nc.subscribe(p.topology.subjects.allPredictions);
    void (async () => {
      for await (const m of sub) predictions.push(decodeEvent(PredictionCreatedV1, m.data));
    })();
    const updates = nc.subscribe(p.topology.subjects.allTriage);
    void (async () => {
      for await (const m of updates) {
        if (m.subject.endsWith('.updated')) triageUpdates.push(decodeEvent(TriageUpdatedV1, m.data));
      }
    })();
  }, 240_000);

  afterAll(async () => {
    await nc?.close();
    await research?.stop();
    await pipeline?.stop();
  });

  it(
    'turns 20 reviews into a dataset, a trained model, a shadow and then the active model',
    { timeout: 900_000 },
    async () => {
      const p = pipeline.platform;
      const tech = await p.login('tech.st-marys@demo.local');
      const doctor = await p.login('doctor.st-marys@demo.local');
      const researcher = await p.login('researcher@demo.local');
      const hospitalId = p.hospital('st-marys').id;

      // 20 studies, uploaded and scored, then reviewed with the folder's finding.
      const files = sampleFiles().slice(0, 20);
      const studies: { id: string; finding: string }[] = [];
      for (const file of files) {
        const bytes = new Uint8Array(
          await sharp(readFileSync(file)).resize({ width: 640 }).jpeg().toBuffer(),
        );
        const answer = await uploadThroughGateway(p, 'st-marys', tech, bytes);
        expect(answer.status).toBe(201);
        studies.push({ id: answer.studyId, finding: file.includes('PNEUMONIA') ? 'PNEUMONIA' : 'NORMAL' });
      }
      for (const study of studies) {
        await eventually(
          async () => (predictions.some((x) => x.studyId === study.id) ? true : undefined),
          60_000,
          'a prediction',
        );
        const res = await p.query(
          'mutation R($h: ID!, $s: ID!, $f: ReviewFinding!) { recordReview(hospitalId: $h, studyId: $s, finding: $f, notes: "e2e") { id } }',
          { h: hospitalId, s: study.id, f: study.finding },
          doctor,
        );
        expect(res.errors).toBeUndefined();
      }

      // 20 de-identified examples reach the research index (OCR runs per image: give it time).
      const summary = await eventually(
        async () => {
          const res = await p.query(
            '{ researchSummary { total byFinding { finding count } } }',
            {},
            researcher,
          );
          return res.data?.researchSummary.total === 20 ? res.data.researchSummary : undefined;
        },
        600_000,
        '20 indexed examples',
      );
      expect(summary.total).toBe(20);
      const everything = JSON.stringify(
        await p.query(
          '{ labeledExamples(first: 50) { edges { node { id pseudonym finding ageBand sex } } } }',
          {},
          researcher,
        ),
      );
      // Nothing the hospitals know about the patients reaches research: names, MRNs, birth dates, notes.
      for (const phi of ['E2E Patient', 'E2E-', '2016-03-04', 'notes']) expect(everything).not.toContain(phi);

      // Each example carries the prediction the doctor saw (the hospital recorded it), so agreement is measured.
      const agreement = await p.query(
        'query A($v: String) { modelAgreement(modelVersion: $v) { modelVersion n positives negatives auc sensitivity specificity } }',
        { v: pipeline.model.version },
        researcher,
      );
      expect(agreement.errors).toBeUndefined();
      const expectedPositives = studies.filter((s) => s.finding === 'PNEUMONIA').length;
      expect(agreement.data!.modelAgreement).toEqual([
        expect.objectContaining({
          modelVersion: pipeline.model.version,
          n: 20,
          positives: expectedPositives,
          negatives: 20 - expectedPositives,
        }),
      ]);
      const shown = new Map(predictions.filter((x) => !x.shadow).map((x) => [x.studyId, x]));
      const expectedSensitivity =
        studies.filter((s) => s.finding === 'PNEUMONIA' && shown.get(s.id)?.label === 'pneumonia').length /
        expectedPositives;
      expect(agreement.data!.modelAgreement[0].sensitivity).toBeCloseTo(expectedSensitivity, 10);

      // Freeze and export the snapshot, then train one short run on PneumoniaMNIST + the export.
      const frozen = await p.query(
        'mutation { freezeDataset(name: "e2e loop") { id exampleCount contentHash } }',
        {},
        researcher,
      );
      expect(frozen.errors).toBeUndefined();
      expect(frozen.data!.freezeDataset.exampleCount).toBe(20);
      const npz = await fetch(`${p.gatewayUrl}/datasets/${frozen.data!.freezeDataset.id}/npz`, {
        headers: { authorization: `Bearer ${researcher}` },
      });
      expect(npz.status).toBe(200);
      const work = mkdtempSync(path.join(os.tmpdir(), 'research-loop-'));
      const exportFile = path.join(work, 'export.npz');
      writeFileSync(exportFile, new Uint8Array(await npz.arrayBuffer()));
      const version = `loop-${p.ns}`;
      // Asynchronous: the whole platform lives in this process and must keep serving while it trains.
      await promisify(execFile)(
        SYSTEM_PYTHON,
        [
          '-m',
          'triage_research',
          'train',
          '--data',
          SHARED_NPZ,
          '--extra-data',
          exportFile,
          '--quick',
          '--max-epochs',
          '1',
          '--version',
          version,
          '--out',
          path.join(work, 'out'),
        ],
        { cwd: path.join(REPO_ROOT, 'research'), maxBuffer: 64 * 1024 * 1024 },
      );
      const onnx = readdirSync(path.join(work, 'out'), { recursive: true })
        .map(String)
        .find((f) => f.endsWith(`${version}.onnx`));
      expect(onnx).toBeDefined();
      // One epoch of one member, on PneumoniaMNIST and the very file the research center exported.
      const report = JSON.parse(
        readFileSync(path.join(work, 'out', onnx!.replace(/\.onnx$/, '.report.json')), 'utf8'),
      ) as {
        data: { sources: { file: string; sha256: string; train: number; val: number }[] };
        training: { members: { epochs_run: number }[] };
      };
      expect(report.training.members.map((m) => m.epochs_run)).toEqual([1]);
      const exported = report.data.sources.find((s) => s.file === 'export.npz');
      expect(exported?.sha256).toBe(createHash('sha256').update(readFileSync(exportFile)).digest('hex'));
      expect(exported!.train + exported!.val).toBeGreaterThan(0);
      expect(exported!.train + exported!.val).toBeLessThanOrEqual(20);

      // Publish through the gateway, shadow it, then activate it.
      const published = await fetch(`${p.gatewayUrl}/models`, {
        method: 'POST',
        headers: { authorization: `Bearer ${researcher}`, 'content-type': 'application/octet-stream' },
        body: readFileSync(path.join(work, 'out', onnx!)),
      });
      expect(published.status).toBe(201);
      const shadowed = await p.query(
        'mutation S($v: String!) { shadowModel(version: $v) { version status } }',
        { v: version },
        researcher,
      );
      expect(shadowed.data?.shadowModel.status).toBe('SHADOW');
      const sample = new Uint8Array(
        await sharp(readFileSync(sampleFiles()[21]!)).resize({ width: 512 }).jpeg().toBuffer(),
      );
      // The worker loads the shadow candidate from the registry in the background: studies scored
      // before it is loaded get only the active prediction, so upload until one gets both.
      const pair = await eventually(
        async () => {
          const answer = await uploadThroughGateway(p, 'st-marys', tech, sample);
          const scored = (shadow: boolean) =>
            predictions.find((x) => x.studyId === answer.studyId && x.shadow === shadow);
          await eventually(async () => scored(false), 60_000, 'an active prediction');
          // The shadow prediction is published right after the active one, when there is one.
          const shadow = await eventually(async () => scored(true), 5_000, 'a shadow prediction').catch(
            () => undefined,
          );
          return shadow ? [scored(false)!, shadow] : undefined;
        },
        150_000,
        'active and shadow predictions',
      ).catch(async (error: Error) => {
        // Say what the worker did with the candidate (loaded it? scored with it? failed?).
        const metrics = await fetch(`${pipeline.worker.url()}/metrics`)
          .then((res) => res.text())
          .catch((fetchError: Error) => `# metrics unavailable: ${fetchError.message}`);
        const lines = metrics
          .split('\n')
          .filter((l) => !l.startsWith('#') && /role="shadow"|inference_failures_total|swaps/.test(l));
        throw new Error(`${error.message}; worker metrics: ${lines.join('; ')}`);
      });
      expect(pair.find((x) => x.shadow)?.modelVersion).toBe(version);
      expect(pair.find((x) => !x.shadow)?.modelVersion).toBe(pipeline.model.version);

      // Recorded, never shown: once triage has stored the shadow prediction, the doctor's worklist,
      // study and live updates still show only the active model's.
      const [live, candidate] = [pair.find((x) => !x.shadow)!, pair.find((x) => x.shadow)!];
      await eventually(
        async () => {
          const rows = await p.triage.orm.em
            .fork()
            .getConnection()
            .execute('select 1 from prediction where study_id = ? and shadow and model_version = ?', [
              candidate.studyId,
              version,
            ]);
          return rows.length === 1 ? true : undefined;
        },
        30_000,
        'the shadow prediction stored by triage',
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for an update that must not come
      const seen = await p.query(
        `query S($h: ID!, $s: ID!) {
          worklistItem(hospitalId: $h, studyId: $s) { risk modelVersion study { prediction { modelVersion risk } predictions { modelVersion } } }
        }`,
        { h: hospitalId, s: candidate.studyId },
        doctor,
      );
      expect(seen.errors).toBeUndefined();
      expect(seen.data!.worklistItem).toEqual({
        risk: live.risk,
        modelVersion: live.modelVersion,
        study: {
          prediction: { modelVersion: live.modelVersion, risk: live.risk },
          predictions: [{ modelVersion: live.modelVersion }],
        },
      });
      const updates = triageUpdates.filter((u) => u.studyId === candidate.studyId);
      expect(updates.some((u) => u.modelVersion === live.modelVersion)).toBe(true);
      expect(updates.filter((u) => u.modelVersion === version)).toEqual([]);

      const activated = await p.query(
        'mutation A($v: String!) { activateModel(version: $v) { version status } }',
        { v: version },
        researcher,
      );
      expect(activated.data?.activateModel.status).toBe('ACTIVE');
      const next = await eventually(
        async () => {
          const answer = await uploadThroughGateway(p, 'st-marys', tech, sample);
          const scored = await eventually(
            async () => predictions.find((x) => x.studyId === answer.studyId && !x.shadow),
            60_000,
            'a prediction',
          );
          return scored.modelVersion === version ? scored : undefined;
        },
        60_000,
        'a prediction by the new model',
      );
      expect(next.modelVersion).toBe(version);

      // The suite-wide PHI scan saw every answer of the research service above, the download included.
      expect(research!.phi.scanned).toBeGreaterThan(5);
      expect(research!.phi.hits).toEqual([]);
    },
  );
});
