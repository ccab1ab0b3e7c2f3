import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { decodeEvent, encodeEvent, messageIds, PredictionCreatedV1, ResearchLabeledV1 } from '@triage/contracts';
import { createLogger } from '@triage/logger';
import { jetstream, jetstreamManager, openObjectStore } from '@triage/nats';
import { eventually } from '@triage/testing';
import dicomParser from 'dicom-parser';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeidentificationJob, DeidentificationJobStatus } from '../src/deidentify/deidentification-job.entity.js';
import { patientPseudonym } from '../src/deidentify/pseudonym.js';
import { predictionConsumerSpec } from '../src/prediction/prediction.consumer.js';
import { StudyPrediction } from '../src/prediction/study-prediction.entity.js';
import { startHospital, TEST_DEID_SECRET, type Hospital } from './harness.js';
import { buildDicom, grayPixels, readObject, readSample, SAMPLES_DIR, studyDetails, studyWithImage } from './ingest-fixtures.js';

const RECORD = `mutation ($h: ID!, $s: ID!, $f: ReviewFinding!, $n: String) {
  recordReview(hospitalId: $h, studyId: $s, finding: $f, notes: $n) { id }
}`;

interface Published {
  msgId: string | undefined;
  raw: string;
  event: ResearchLabeledV1;
  traceparent: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('research export: recordReview -> de-identified copy in the research bucket + ResearchLabeledV1', () => {
  let h: Hospital;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    h = await startHospital({
      log: createLogger({ service: 'hospital-test', level: 'debug', destination: sink }),
      deidentification: { pollIntervalMs: 200, retryDelayMs: () => 1_000 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function researchEvents(): Promise<Published[]> {
    const jsm = await jetstreamManager(h.nc);
    const { state } = await jsm.streams.info(h.topology.streams.research);
    const found: Published[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(h.topology.streams.research, { seq }).catch(() => null);
      if (!msg || msg.subject !== h.topology.subjects.researchLabeled(h.id)) continue;
      found.push({
        msgId: msg.header.get('Nats-Msg-Id'),
        raw: msg.string(),
        event: decodeEvent(ResearchLabeledV1, msg.data),
        traceparent: msg.header.get('traceparent'),
      });
    }
    return found;
  }

  const review = async (studyId: string, finding: string, notes: string) => {
    const res = await h.run<{ recordReview: { id: string } }>(RECORD, { h: h.id, s: studyId, f: finding, n: notes }, h.tokens.doctor);
    expect(res.errors).toBeUndefined();
    return res.data!.recordReview.id;
  };

  /** The job's example id names the event (message id); the review id never leaves the hospital. */
  const exported = (reviewId: string) =>
    eventually(
      async () => {
        const job = await h.server.orm.em.fork().findOne(DeidentificationJob, { review: reviewId });
        if (!job) return undefined;
        const events = (await researchEvents()).filter((e) => e.msgId === messageIds.researchLabeled(job.exampleId));
        expect(events.every((e) => !e.msgId?.includes(reviewId))).toBe(true);
        return events.length ? events : undefined;
      },
      60_000,
      'the ResearchLabeled event',
    );

  const researchBucket = () => openObjectStore(h.nc, h.topology.buckets.research);

  it('a reviewed JPEG: one event without PHI, the cleaned PNG in the research bucket, the original only in the hospital bucket', async () => {
    const file = path.join(SAMPLES_DIR, 'PNEUMONIA', 'demo_Mary Stough_5038_1963-06-23_2018-09-07.jpeg');
    const original = readSample(file);
    const patient = { mrn: 'MRN-5038', name: 'Mary Stough', birthDate: '1963-06-23', sex: 'FEMALE' };
    const study = await studyWithImage(h, original, { patient, accessionNumber: 'ACC-STOUGH-1', acquiredAt: '2018-09-07T09:30:00.000Z' });
    const reviewId = await review(study.id, 'PNEUMONIA', 'Mary Stough, MRN-5038: right lower lobe');

    const events = await exported(reviewId);
    expect(events).toHaveLength(1);
    const { event, raw } = events[0]!;
    expect(event).toMatchObject({
      version: 1,
      hospitalId: h.id,
      pseudonym: patientPseudonym(TEST_DEID_SECRET, h.id, 'MRN-5038'),
      finding: 'pneumonia',
      model: null,
      ageBand: '55-59',
      sex: 'FEMALE',
      studyYear: 2018,
      image: { bucket: h.topology.buckets.research, key: `examples/${event.exampleId}.png`, contentType: 'image/png', width: 840, height: 464 },
    });
    expect(event.deidentification.textRegionsRemoved).toBeGreaterThan(0);
    for (const phi of ['Mary', 'Stough', 'MRN-5038', '5038', '1963', '06-23', '2018-09-07', 'ACC-STOUGH-1', study.id, study.patient.id, reviewId, 'right lower lobe']) {
      expect({ phi, inEvent: raw.includes(phi) }).toEqual({ phi, inEvent: false });
    }

    // The research copy: a PNG of the same size, not the original, with the announced checksum.
    const store = await researchBucket();
    const png = await store.getBlob(event.image.key);
    expect(png).not.toBeNull();
    expect(sha256(png!)).toBe(event.image.sha256);
    expect(await sharp(png!).metadata()).toMatchObject({ format: 'png', width: 840, height: 464, channels: 1 });
    const before = await grayPixels(original);
    const after = await grayPixels(png!);
    let changed = 0;
    for (let i = 0; i < before.gray.length; i++) if (before.gray[i] !== after.gray[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed / before.gray.length).toBeLessThan(0.08); // the text boxes only

    // The original stays in the hospital bucket, unchanged, and nowhere in the research bucket.
    expect(Buffer.from((await readObject(h, `studies/${study.id}/original.jpg`))!).equals(original)).toBe(true);
    const researchObjects = await store.list();
    expect(researchObjects.map((o) => o.name).every((name) => /^examples\/[0-9a-f-]{36}\.(png|dcm)$/.test(name))).toBe(true);
    for (const o of researchObjects) expect(sha256((await store.getBlob(o.name))!)).not.toBe(sha256(original));

    const job = await h.server.orm.em.fork().findOneOrFail(DeidentificationJob, { review: reviewId });
    expect(job).toMatchObject({ status: DeidentificationJobStatus.DONE, exampleId: event.exampleId, attempts: 1 });
  }, 90_000);

  it('a reviewed DICOM: the Basic Profile copy (.dcm) and its PNG; the header names no one', async () => {
    const sample = await grayPixels(readSample(path.join(SAMPLES_DIR, 'PNEUMONIA', 'demo_Michael Shrefler_9515_1945-02-02_2016-07-24.jpeg')));
    const dicom = buildDicom({
      width: sample.width,
      height: sample.height,
      gray: sample.gray,
      attributes: {
        PatientName: 'Shrefler^Michael',
        PatientID: 'MRN-9515',
        PatientBirthDate: '19450202',
        PatientSex: 'M',
        StudyDate: '20160724',
        StudyTime: '083000',
        AccessionNumber: 'ACC-SHREFLER',
        InstitutionName: 'General Hospital East',
        ReferringPhysicianName: 'House^Gregory',
        StudyDescription: 'CHEST PA Shrefler',
      },
    });
    const study = await studyWithImage(h, dicom, {});
    const details = (await studyDetails(h, study.id))!;
    const reviewId = await review(study.id, 'NORMAL', 'no consolidation');

    const [published] = await exported(reviewId);
    const { event, raw } = published!;
    expect(event).toMatchObject({ finding: 'normal', sex: 'MALE', ageBand: '70-74', studyYear: 2016, pseudonym: patientPseudonym(TEST_DEID_SECRET, h.id, 'MRN-9515') });
    expect(event.deidentification.method).toMatch(/PS3\.15 Basic Profile/);
    for (const phi of ['Shrefler', 'Michael', 'MRN-9515', '1945', 'ACC-SHREFLER', details.studyInstanceUid!]) expect(raw).not.toContain(phi);

    const store = await researchBucket();
    const dcm = await store.getBlob(`examples/${event.exampleId}.dcm`);
    expect(dcm).not.toBeNull();
    const parsed = dicomParser.parseDicom(dcm!);
    expect(parsed.string('x00100020')).toBe(event.pseudonym);
    expect(parsed.string('x00100010') ?? '').toBe('');
    expect(parsed.string('x00120062')).toBe('YES');
    expect(parsed.string('x00100040')).toBe('M');
    expect(parsed.string('x00081030')).toBe('CHEST PA');
    expect(parsed.string('x0020000d')).toMatch(/^2\.25\.\d+$/);
    expect(parsed.string('x0020000d')).not.toBe(details.studyInstanceUid);
    const text = Buffer.from(dcm!).toString('latin1');
    for (const phi of ['Shrefler', 'MRN-9515', '19450202', '20160724', 'ACC-SHREFLER', 'General Hospital', 'House', details.sopInstanceUid!]) {
      expect({ phi, found: text.includes(phi) }).toEqual({ phi, found: false });
    }
    // Its pixels: the burned-in text painted over in place, the rest as stored.
    const pixels = parsed.elements.x7fe00010!;
    const painted = dcm!.subarray(pixels.dataOffset, pixels.dataOffset + sample.width * sample.height);
    let changed = 0;
    for (let i = 0; i < painted.length; i++) if (painted[i] !== sample.gray[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed / painted.length).toBeLessThan(0.08);
    expect(await store.getBlob(event.image.key)).not.toBeNull();
    expect(event.dicom).toEqual({ key: `examples/${event.exampleId}.dcm`, sha256: sha256(dcm!) });

    // The hospital keeps the original DICOM.
    expect(Buffer.from((await readObject(h, `studies/${study.id}/original.dcm`))!).equals(dicom)).toBe(true);
  }, 90_000);

  it("carries the study's latest active prediction (shadow, replayed and older ones change nothing)", async () => {
    const original = readSample(path.join(SAMPLES_DIR, 'NORMAL', 'demo_Jo Mcintyre_9829_1945-04-03_2015-06-14.jpeg'));
    const study = await studyWithImage(h, original);
    const js = jetstream(h.nc);
    const prediction = (modelVersion: string, risk: number, occurredAt: string, shadow = false): PredictionCreatedV1 => ({
      version: 1,
      hospitalId: h.id,
      studyId: study.id,
      modelVersion,
      risk,
      label: risk >= 0.5 ? 'pneumonia' : 'normal',
      threshold: 0.5,
      shadow,
      timings: { queueMs: 1, preprocessMs: 1, inferenceMs: 1 },
      occurredAt,
    });
    const publish = (event: PredictionCreatedV1, msgID = messageIds.prediction(event.studyId, event.modelVersion, event.shadow)) =>
      js.publish(h.topology.subjects.predictionCreated(h.id), encodeEvent(PredictionCreatedV1, event), { msgID });
    await publish(prediction('v-first', 0.2, '2026-03-01T10:00:00.000Z'));
    await publish(prediction('v-latest', 0.83, '2026-03-02T10:00:00.000Z'));
    await publish(prediction('v-candidate', 0.1, '2026-03-03T10:00:00.000Z', true));
    await publish(prediction('v-older', 0.4, '2026-02-01T10:00:00.000Z'));
    await publish(prediction('v-latest', 0.83, '2026-03-02T10:00:00.000Z'), 'replayed-by-hand');
    // Another hospital's prediction is not on this hospital's subject: never seen here.
    await js.publish(h.topology.subjects.predictionCreated('other-hospital'), encodeEvent(PredictionCreatedV1, { ...prediction('v-other', 0.9, '2026-04-01T10:00:00.000Z'), hospitalId: 'other-hospital' }));
    const spec = predictionConsumerSpec(h.topology, h.id);
    const jsm = await jetstreamManager(h.nc);
    await eventually(async () => {
      const info = await jsm.consumers.info(spec.stream, spec.durable);
      return info.delivered.stream_seq >= 5 && info.num_pending === 0 && info.num_ack_pending === 0 ? info : undefined;
    }, 20_000, 'the predictions consumed');
    const stored = await h.server.orm.em.fork().findOneOrFail(StudyPrediction, { studyId: study.id });
    expect(stored).toMatchObject({ modelVersion: 'v-latest', risk: 0.83, label: 'pneumonia' });

    const reviewId = await review(study.id, 'PNEUMONIA', '');
    const [published] = await exported(reviewId);
    expect(published!.event.model).toEqual({ version: 'v-latest', risk: 0.83, label: 'pneumonia' });
    expect(published!.event.dicom).toBeUndefined();
  }, 90_000);

  it('retries a job that failed (the image was briefly unreadable) and announces it once', async () => {
    const original = readSample(path.join(SAMPLES_DIR, 'NORMAL', 'demo_Sandra Hastings_6352_1963-04-08_2017-09-23.jpeg'));
    const study = await studyWithImage(h, original);
    const key = `studies/${study.id}/original.jpg`;
    const hospitalBucket = await openObjectStore(h.nc, h.topology.buckets.hospitalImages('general'));
    await hospitalBucket.delete(key);
    const reviewId = await review(study.id, 'NORMAL', '');

    const failed = await eventually(async () => {
      const job = await h.server.orm.em.fork().findOne(DeidentificationJob, { review: reviewId });
      return job && job.attempts >= 1 && job.lastError ? job : undefined;
    }, 20_000);
    expect(failed.status).toBe(DeidentificationJobStatus.PENDING);
    expect(failed.lastError).toBe('Error');

    await hospitalBucket.putBlob({ name: key }, original);
    const events = await exported(reviewId);
    expect(events).toHaveLength(1);
    const job = await h.server.orm.em.fork().findOneOrFail(DeidentificationJob, { review: reviewId });
    expect(job.status).toBe(DeidentificationJobStatus.DONE);
    expect(job.attempts).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it("the research copy, made later by the queue, continues the review's trace", async () => {
    const file = path.join(SAMPLES_DIR, 'PNEUMONIA', 'demo_Mary Stough_5038_1963-06-23_2018-09-07.jpeg');
    const study = await studyWithImage(h, readSample(file), {
      patient: { mrn: 'MRN-5038', name: 'Mary Stough', birthDate: '1963-06-23', sex: 'FEMALE' },
      accessionNumber: 'ACC-STOUGH-TRACE',
    });
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(h.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${h.tokens.doctor}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ query: RECORD, variables: { h: h.id, s: study.id, f: 'NORMAL', n: null } }),
    });
    const reviewId = ((await res.json()) as { data: { recordReview: { id: string } } }).data.recordReview.id;
    const [published] = await exported(reviewId);
    expect(published!.traceparent.split('-')[1]).toBe(traceId);
    const lines = logLines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const exportLine = lines.find((l) => l.msg === 'research example exported' && l.exampleId === published!.event.exampleId);
    expect(exportLine?.trace_id).toBe(traceId);
  }, 90_000);

  it('logged nothing that names a patient', () => {
    const logs = logLines.join('');
    expect(logs).toContain('research example exported');
    for (const phi of ['Mary', 'Stough', 'MRN-5038', '1963-06-23', 'Shrefler', 'MRN-9515', '19450202', 'Sandra', 'Hastings', 'right lower lobe']) {
      expect({ phi, logged: logs.includes(phi) }).toEqual({ phi, logged: false });
    }
  });
});
