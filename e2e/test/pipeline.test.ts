import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@triage/testing';
import sharp from 'sharp';
import { blackPng, buildDicom, grayPixels, putLarge } from '../../subgraphs/hospital/test/ingest-fixtures.js';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { Pipeline, uploadThroughGateway } from './support/pipeline.js';

const STUDY_PREDICTIONS = `query S($h: ID!, $id: ID!) {
  study(hospitalId: $h, id: $id) { id status image { contentType } patient { name } prediction { modelVersion risk label threshold } predictions { modelVersion } triage { status risk } }
}`;

describe('upload -> NATS -> ONNX worker -> stored prediction, through the gateway', () => {
  let pipeline: Pipeline;
  let techs: Record<string, string>;
  let doctor: string;

  beforeAll(async () => {
    pipeline = await Pipeline.start();
    const p = pipeline.platform;
    techs = { 'st-marys': await p.login('tech.st-marys@demo.local'), general: await p.login('tech.general@demo.local') };
    doctor = await p.login('doctor@demo.local');
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  async function predictionOf(slug: string, studyId: string) {
    const p = pipeline.platform;
    return eventually(async () => {
      const res = await p.query(STUDY_PREDICTIONS, { h: p.hospital(slug).id, id: studyId }, doctor);
      return res.data?.study?.prediction ? res.data.study : undefined;
    }, 60_000, `a stored prediction for study ${studyId}`);
  }

  it('gives each of the 24 sample X-rays exactly one stored prediction', { timeout: 240_000 }, async () => {
    const uploads = [];
    for (const [i, file] of sampleFiles().entries()) {
      const slug = i % 2 === 0 ? 'st-marys' : 'general';
      const answer = await uploadThroughGateway(pipeline.platform, slug, techs[slug]!, new Uint8Array(readFileSync(file)));
      expect(answer.status).toBe(201);
      uploads.push({ slug, studyId: answer.studyId });
    }
    for (const { slug, studyId } of uploads) {
      const study = await predictionOf(slug, studyId);
      expect(study.predictions).toHaveLength(1);
      expect(study.prediction.modelVersion).toBe(pipeline.model.version);
      expect(study.prediction.risk).toBeGreaterThanOrEqual(0);
      expect(study.prediction.risk).toBeLessThanOrEqual(1);
      expect(study.triage.status).toBe('WAITING');
      expect(study.triage.risk).toBeCloseTo(study.prediction.risk, 6);
    }
  });

  it('scores a DICOM made from a sample the same way', { timeout: 120_000 }, async () => {
    const { gray, width, height } = await grayPixels(new Uint8Array(readFileSync(sampleFiles()[14]!)), 512);
    const dicom = buildDicom({ width, height, gray, bits: 16, stored: (g) => g * 16, bitsStored: 12, window: { center: 2048, width: 4096 } });
    const answer = await uploadThroughGateway(pipeline.platform, 'general', techs.general!, new Uint8Array(dicom));
    expect(answer.status).toBe(201);
    const study = await predictionOf('general', answer.studyId);
    expect(study.image.contentType).toBe('image/png');
    expect(study.predictions).toHaveLength(1);
  });

  it('refuses bad files with a clear error and keeps serving', { timeout: 180_000 }, async () => {
    const p = pipeline.platform;
    const sample = new Uint8Array(readFileSync(sampleFiles()[0]!));
    const cases: [string, Uint8Array, number, RegExp][] = [
      ['corrupt JPEG', sample.subarray(0, sample.length / 3), 422, /corrupt|could not/i],
      ['zero bytes', new Uint8Array(0), 400, /empty|zero|no bytes/i],
      ['text file', new TextEncoder().encode('patient notes, not an image'), 415, /unsupported|not an image|type/i],
      ['30000x30000 PNG', new Uint8Array(await blackPng(30_000, 30_000)), 413, /pixels/i],
      ['DICOM without pixels', new Uint8Array(buildDicom({ width: 8, height: 8, gray: new Uint8Array(64), withPixelData: false })), 422, /pixel data/i],
    ];
    for (const [what, bytes, status, message] of cases) {
      const answer = await uploadThroughGateway(p, 'st-marys', techs['st-marys']!, bytes);
      expect(answer.status, what).toBe(status);
      expect(String(answer.body.message), what).toMatch(message);
    }
    // 70 MB: refused by size through the gateway's streaming proxy.
    const res = await p.query(
      'mutation U($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { uploadUrl } }',
      { h: p.hospital('st-marys').id, input: { patient: { mrn: `BIG-${Date.now()}`, name: 'Big File', birthDate: '2015-01-01', sex: 'MALE' } } },
      techs['st-marys'],
    );
    const signed = new URL(res.data!.createStudyUpload.uploadUrl);
    const big = await putLarge(`${p.gatewayUrl}${signed.pathname}`, 70 * 1024 * 1024, { chunked: false });
    expect(big.status).toBe(413);

    const good = await uploadThroughGateway(p, 'st-marys', techs['st-marys']!, new Uint8Array(await sharp(sample).resize({ width: 256 }).jpeg().toBuffer()));
    expect(good.status).toBe(201);
    await predictionOf('st-marys', good.studyId);
  });
});
