import { createHash } from 'node:crypto';
import { messageIds } from '@triage/contracts';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Patient } from '../src/patient/patient.entity.js';
import { startHospital, type Hospital } from './harness.js';
import {
  buildDicom,
  grayPixels,
  imageEventsFor,
  instanceUrl,
  newPatient,
  newUid,
  put,
  readObject,
  readSample,
  sampleJpegs,
  studyDetails,
  studyEvents,
  ticketFor,
} from './ingest-fixtures.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** PS3.3 C.11.2.1.2.1 "LINEAR" window, written out independently of the implementation. */
function linearWindow(x: number, center: number, width: number): number {
  if (x <= center - 0.5 - (width - 1) / 2) return 0;
  if (x > center - 0.5 + (width - 1) / 2) return 255;
  return ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
}

function maxDifference(actual: Uint8Array, expected: (i: number) => number): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected(i)));
  return worst;
}

describe('DICOM upload', () => {
  let h: Hospital;
  let source: { gray: Uint8Array; width: number; height: number };
  beforeAll(async () => {
    h = await startHospital();
    source = await grayPixels(readSample(sampleJpegs()[4]!), 512);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Uploads `dicom` to a new study and returns the answer, the study and its rendition's pixels. */
  async function upload(dicom: Buffer, input: Record<string, unknown> = { patient: newPatient() }) {
    const ticket = await ticketFor(h, input);
    const res = await put(instanceUrl(h, ticket), dicom);
    const study = (await studyDetails(h, ticket.study.id))!;
    const rendition = study.image ? await readObject(h, study.image.key) : null;
    return { ticket, res, study, rendition, pixels: rendition ? await grayPixels(rendition) : null };
  }

  it('MONOCHROME2 8-bit: stores the original and an 8-bit PNG rendition stretched to the full range', async () => {
    const dicom = buildDicom({ ...source });
    const { ticket, res, study, rendition, pixels } = await upload(dicom);
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ studyId: ticket.study.id, sha256: sha256(dicom), contentType: 'application/dicom', width: 512, height: source.height });
    expect(study).toMatchObject({
      status: 'IMAGE_STORED',
      original: { key: `studies/${study.id}/original.dcm`, sha256: sha256(dicom), contentType: 'application/dicom', size: dicom.length },
      image: { key: `studies/${study.id}/rendition.png`, contentType: 'image/png', width: 512, height: source.height, sha256: sha256(rendition!) },
    });
    expect(Buffer.from((await readObject(h, study.original!.key))!).equals(dicom)).toBe(true);
    const meta = await sharp(rendition!).metadata();
    expect(meta).toMatchObject({ format: 'png', channels: 1, depth: 'uchar', width: 512, height: source.height });

    let min = 255;
    let max = 0;
    for (const v of source.gray) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(maxDifference(pixels!.gray, (i) => ((source.gray[i]! - min) / (max - min)) * 255)).toBeLessThanOrEqual(1);

    // The event points the worker at the rendition; its id is the original's checksum.
    const [event] = imageEventsFor(await studyEvents(h), study.id);
    expect(event!.msgId).toBe(messageIds.studyImageStored(study.id, sha256(dicom)));
    expect(event!.event.image).toEqual({
      bucket: h.topology.buckets.hospitalImages('general'),
      key: `studies/${study.id}/rendition.png`,
      sha256: sha256(rendition!),
      contentType: 'image/png',
      width: 512,
      height: source.height,
    });
  });

  it('MONOCHROME2 16-bit: applies RescaleSlope/Intercept, then the WindowCenter/Width', async () => {
    const rescale = { slope: 2, intercept: -1024 };
    const window = { center: 2048, width: 4096 };
    const stored = (g: number) => g * 16;
    const dicom = buildDicom({ ...source, bits: 16, bitsStored: 12, stored, rescale, window });
    const { res, pixels } = await upload(dicom);
    expect(res.status).toBe(201);
    const expected = (i: number) => linearWindow(stored(source.gray[i]!) * rescale.slope + rescale.intercept, window.center, window.width);
    expect(maxDifference(pixels!.gray, expected)).toBeLessThanOrEqual(1);
    // The window really was applied: bright anatomy is clipped to white, unlike a min/max stretch.
    const clipped = pixels!.gray.filter((v, i) => v === 255 && source.gray[i]! < 250).length;
    expect(clipped).toBeGreaterThan(1000);
  });

  it('MONOCHROME1: the rendition is the inverse of MONOCHROME2 with the same pixels', async () => {
    const mono2 = await upload(buildDicom({ ...source, photometric: 'MONOCHROME2' }));
    const mono1 = await upload(buildDicom({ ...source, photometric: 'MONOCHROME1' }));
    expect(mono1.res.status).toBe(201);
    expect(mono1.pixels!.gray.length).toBe(mono2.pixels!.gray.length);
    expect(maxDifference(mono1.pixels!.gray, (i) => 255 - mono2.pixels!.gray[i]!)).toBe(0);
    expect(mono1.pixels!.gray).not.toEqual(mono2.pixels!.gray);
  });

  it('takes the patient and study attributes from the header when the upload named none', async () => {
    const studyInstanceUid = newUid();
    const sopInstanceUid = newUid();
    const dicom = buildDicom({
      ...source,
      sopInstanceUid,
      attributes: {
        PatientID: 'DCM-HDR-4454',
        PatientName: 'Müller^Jürgen^Karl',
        PatientBirthDate: '19630306',
        PatientSex: 'M',
        AccessionNumber: 'ACC-DCM-HDR',
        Modality: 'CR',
        BodyPartExamined: 'CHEST',
        StudyDate: '20150210',
        StudyTime: '101530.25',
        TimezoneOffsetFromUTC: '+0100',
        StudyInstanceUID: studyInstanceUid,
      },
    });
    const { ticket, res, study } = await upload(dicom, {});
    expect(ticket.study.patient.provisional).toBe(true);
    expect(res.status).toBe(201);
    expect(study).toMatchObject({
      accessionNumber: 'ACC-DCM-HDR',
      modality: 'CR',
      bodyPart: 'CHEST',
      acquiredAt: '2015-02-10T09:15:30.250Z',
      studyInstanceUid,
      sopInstanceUid,
      patient: { id: ticket.study.patient.id, mrn: 'DCM-HDR-4454', name: 'Jürgen Karl Müller', birthDate: '1963-03-06', sex: 'MALE', provisional: false },
    });
    // Header values are patient data: the event carries none of them.
    const [event] = imageEventsFor(await studyEvents(h), study.id);
    for (const phi of ['DCM-HDR-4454', 'Müller', 'Jürgen', '1963']) expect(event!.raw).not.toContain(phi);
    expect(event!.event).toMatchObject({ modality: 'CR', acquiredAt: '2015-02-10T09:15:30.250Z' });
  });

  it('files the study to the existing patient of the header MRN and drops the placeholder', async () => {
    const existing = await h.seed.patient({ mrn: 'DCM-EXISTING-1', name: 'Known Patient' });
    const { ticket, res, study } = await upload(buildDicom({ ...source, attributes: { PatientID: 'DCM-EXISTING-1', PatientName: 'Other^Name' } }), {});
    expect(res.status).toBe(201);
    expect(study.patient).toMatchObject({ id: existing.id, name: 'Known Patient', provisional: false });
    expect(await h.server.orm.em.fork().findOne(Patient, { id: ticket.study.patient.id })).toBeNull();
  });

  it('keeps what the upload gave and fills only the rest from the header', async () => {
    const patient = await h.seed.patient({ mrn: 'DCM-GIVEN-1' });
    const dicom = buildDicom({
      ...source,
      attributes: { PatientID: 'SOMEONE-ELSE', AccessionNumber: 'ACC-DCM-IGNORED', Modality: 'CR', BodyPartExamined: 'ABDOMEN', StudyDate: '20200101' },
    });
    const { res, study } = await upload(dicom, { patientId: patient.id, accessionNumber: 'ACC-DCM-GIVEN', modality: 'DX' });
    expect(res.status).toBe(201);
    expect(study).toMatchObject({
      accessionNumber: 'ACC-DCM-GIVEN',
      modality: 'DX',
      bodyPart: 'ABDOMEN',
      acquiredAt: '2020-01-01T00:00:00.000Z',
      patient: { id: patient.id, mrn: 'DCM-GIVEN-1' },
    });
  });

  it('refuses a DICOM without PatientID when the upload named no patient', async () => {
    const { res, study } = await upload(buildDicom({ ...source }), {});
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error: 'PATIENT_REQUIRED', message: expect.stringMatching(/no PatientID/) });
    expect(study).toMatchObject({ status: 'REGISTERED', image: null, patient: { provisional: true } });
  });

  it('decodes JPEG Baseline DICOM and refuses compressed transfer syntaxes it cannot decode with 415', async () => {
    const small = await grayPixels(readSample(sampleJpegs()[8]!), 256);
    const jpeg = await sharp(Buffer.from(small.gray), { raw: { width: small.width, height: small.height, channels: 1 } }).jpeg({ quality: 95 }).toBuffer();
    const baseline = await upload(buildDicom({ ...small, frame: jpeg, transferSyntax: '1.2.840.10008.1.2.4.50' }));
    expect(baseline.res.status).toBe(201);
    expect(baseline.res.json).toMatchObject({ width: small.width, height: small.height });

    const j2k = await upload(buildDicom({ ...small, frame: jpeg, transferSyntax: '1.2.840.10008.1.2.4.90' }));
    expect(j2k.res.status).toBe(415);
    expect(j2k.res.json).toMatchObject({
      error: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringMatching(/transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000 Lossless\) cannot be decoded/),
    });
    expect(j2k.study.status).toBe('REGISTERED');
  });
});
