import { createHash } from 'node:crypto';
import { messageIds } from '@triage/contracts';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StudyUpload } from '../src/upload/study-upload.entity.js';
import { errorCodes, startHospital, type Hospital } from './harness.js';
import {
  createUpload,
  imageEventsFor,
  instanceUrl,
  newPatient,
  put,
  readObject,
  readSample,
  sampleJpegs,
  studyDetails,
  studyEvents,
  ticketFor,
} from './ingest-fixtures.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('image upload: createStudyUpload + PUT /uploads/:token', () => {
  let h: Hospital;
  beforeAll(async () => {
    h = await startHospital({ env: { PUBLIC_GATEWAY_URL: 'https://triage.example.org/' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('createStudyUpload', () => {
    it('registers the study and returns a signed URL on the gateway origin', async () => {
      const before = Date.now();
      const res = await createUpload(h, { patient: newPatient({ mrn: 'MRN-UP-1' }), accessionNumber: 'ACC-UP-1', modality: 'cr' }, h.tokens.technician);
      expect(res.errors).toBeUndefined();
      const ticket = res.data!.createStudyUpload;
      expect(ticket.study).toMatchObject({ accessionNumber: 'ACC-UP-1', modality: 'CR', bodyPart: 'CHEST', status: 'REGISTERED' });
      expect(ticket.study.patient).toMatchObject({ mrn: 'MRN-UP-1', provisional: false });
      expect(ticket.uploadUrl).toMatch(new RegExp(`^https://triage\\.example\\.org/uploads/${h.id}/[A-Za-z0-9_-]{43}$`));
      const expiresIn = new Date(ticket.expiresAt).getTime() - before;
      expect(expiresIn).toBeGreaterThan(890_000);
      expect(expiresIn).toBeLessThan(910_000);
      expect(ticket.maxBytes).toBe(64 * 1024 * 1024);

      // Only the token's hash is stored: the URL cannot be rebuilt from the database.
      const token = ticket.uploadUrl.split('/').at(-1)!;
      const rows = await h.server.orm.em.fork().find(StudyUpload, { study: ticket.study.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.tokenHash).toBe(sha256(Buffer.from(token)));
      expect(JSON.stringify(rows[0])).not.toContain(token);
    });

    it('finds the patient by MRN instead of creating a second one, and generates accession numbers', async () => {
      const existing = await h.seed.patient({ mrn: 'MRN-UP-FIND', name: 'Mary Somerville' });
      const a = await ticketFor(h, { patient: newPatient({ mrn: 'MRN-UP-FIND', name: 'Someone Else' }) });
      const b = await ticketFor(h, { patientId: existing.id });
      expect(a.study.patient).toMatchObject({ id: existing.id, name: 'Mary Somerville' });
      expect(b.study.patient.id).toBe(existing.id);
      expect(a.study.accessionNumber).toMatch(/^GENERAL-\d{8}-[0-9A-HJKMNP-TV-Z]{6}$/);
      expect(b.study.accessionNumber).not.toBe(a.study.accessionNumber);
    });

    it('refuses patientId and patient together, an unknown patient, and a taken accession number', async () => {
      const p = await h.seed.patient();
      expect(errorCodes(await createUpload(h, { patientId: p.id, patient: newPatient() }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await createUpload(h, { patientId: crypto.randomUUID() }))).toEqual(['NOT_FOUND']);
      await ticketFor(h, { patientId: p.id, accessionNumber: 'ACC-UP-TAKEN' });
      expect(errorCodes(await createUpload(h, { patientId: p.id, accessionNumber: 'ACC-UP-TAKEN' }))).toEqual(['CONFLICT']);
    });

    it('is a write: doctors and members of other hospitals are refused', async () => {
      expect(errorCodes(await createUpload(h, { patient: newPatient() }, h.tokens.doctor))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await createUpload(h, { patient: newPatient() }, h.tokens.otherIntegration))).toEqual(['FORBIDDEN']);
      const other = await h.run(
        `mutation ($h: ID!) { createStudyUpload(hospitalId: $h, input: {}) { uploadUrl } }`,
        { h: h.otherHospitalId },
        h.tokens.integration,
      );
      expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    });
  });

  it('stores each of the 24 sample JPEGs: 201 with size and checksum, the original in the bucket, one StudyCreated with its image', async () => {
    const files = sampleJpegs();
    expect(files).toHaveLength(24);
    const uploaded: { studyId: string; bytes: Buffer; name: string; mrn: string }[] = [];
    for (const [i, file] of files.entries()) {
      const bytes = readSample(file);
      const name = `Sample Patient ${i}`;
      const mrn = `MRN-JPEG-${i}`;
      const ticket = await ticketFor(h, { patient: newPatient({ mrn, name }) });
      const res = await put(instanceUrl(h, ticket), bytes, { 'content-type': 'image/jpeg' });
      const { width, height } = await sharp(bytes).metadata();
      expect(res.status, file).toBe(201);
      expect(res.json).toEqual({ studyId: ticket.study.id, sha256: sha256(bytes), contentType: 'image/jpeg', width, height });
      uploaded.push({ studyId: ticket.study.id, bytes, name, mrn });
    }

    const first = uploaded[0]!;
    const study = await studyDetails(h, first.studyId);
    expect(study).toMatchObject({
      status: 'IMAGE_STORED',
      image: {
        bucket: h.topology.buckets.hospitalImages('general'),
        key: `studies/${first.studyId}/original.jpg`,
        sha256: sha256(first.bytes),
        contentType: 'image/jpeg',
      },
      original: { key: `studies/${first.studyId}/original.jpg`, sha256: sha256(first.bytes), contentType: 'image/jpeg', size: first.bytes.length },
    });
    expect(Buffer.from((await readObject(h, `studies/${first.studyId}/original.jpg`))!).equals(first.bytes)).toBe(true);

    const events = await studyEvents(h);
    for (const { studyId, bytes, name, mrn } of uploaded) {
      const withImage = imageEventsFor(events, studyId);
      expect(withImage).toHaveLength(1);
      expect(withImage[0]!.msgId).toBe(messageIds.studyImageStored(studyId, sha256(bytes)));
      expect(withImage[0]!.event.image).toMatchObject({ key: `studies/${studyId}/original.jpg`, sha256: sha256(bytes), contentType: 'image/jpeg' });
      for (const phi of [name, mrn, '1985-03-14']) expect(withImage[0]!.raw).not.toContain(phi);
      // The registration was announced before, without an image, under its own message id.
      expect(events.filter((e) => e.event.studyId === studyId && e.event.image === null).map((e) => e.msgId)).toEqual([
        messageIds.studyCreated(studyId),
      ]);
    }
  }, 60_000);

  it('stores a PNG, decided from its content whatever the name or Content-Type says', async () => {
    const png = await sharp(readSample(sampleJpegs()[3]!)).resize({ width: 640 }).png().toBuffer();
    const ticket = await ticketFor(h, { patient: newPatient() });
    const res = await put(`${instanceUrl(h, ticket)}?name=scan.jpg`, png, { 'content-type': 'application/dicom' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ contentType: 'image/png', width: 640, sha256: sha256(png) });
    expect((await studyDetails(h, ticket.study.id))!.image).toMatchObject({ key: `studies/${ticket.study.id}/original.png`, contentType: 'image/png' });
  });

  it('accepts the same bytes again as a retry (200, same answer, no second event) and refuses different bytes with 409', async () => {
    const [a, b] = sampleJpegs();
    const bytes = readSample(a!);
    const ticket = await ticketFor(h, { patient: newPatient() });
    const url = instanceUrl(h, ticket);
    const first = await put(url, bytes);
    expect(first.status).toBe(201);

    const again = await put(url, bytes);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);

    const different = await put(url, readSample(b!));
    expect(different.status).toBe(409);
    expect(different.json).toMatchObject({ error: 'CONFLICT', message: expect.stringMatching(/already has a different image/) });

    expect(imageEventsFor(await studyEvents(h), ticket.study.id)).toHaveLength(1);
    expect((await studyDetails(h, ticket.study.id))!.image!.sha256).toBe(sha256(bytes));
  });

  it('keeps two concurrent uploads of different images to one study apart: one wins, the other gets 409', async () => {
    const [a, b] = sampleJpegs().slice(5, 7).map(readSample);
    const ticket = await ticketFor(h, { patient: newPatient() });
    const url = instanceUrl(h, ticket);
    const answers = await Promise.all([put(url, a!), put(url, b!)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = answers.find((r) => r.status === 201)!.json.sha256 as string;
    const study = (await studyDetails(h, ticket.study.id))!;
    expect(study.image!.sha256).toBe(winner);
    // The bucket holds the winner's bytes, not the loser's.
    expect(sha256((await readObject(h, study.original!.key))!)).toBe(winner);
  });

  it('refuses unknown and expired upload URLs', async () => {
    const unknown = await put(`${h.server.url()}/uploads/${'A'.repeat(43)}`, readSample(sampleJpegs()[0]!));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: 'NOT_FOUND', message: expect.stringMatching(/unknown upload URL/) });

    const ticket = await ticketFor(h, { patient: newPatient() });
    await h.server.orm.em.fork().nativeUpdate(StudyUpload, { study: ticket.study.id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await put(instanceUrl(h, ticket), readSample(sampleJpegs()[0]!));
    expect(expired.status).toBe(403);
    expect(expired.json).toMatchObject({ error: 'UPLOAD_URL_EXPIRED', message: expect.stringMatching(/expired at .*renewStudyUpload/) });
    expect((await studyDetails(h, ticket.study.id))!.status).toBe('REGISTERED');

    // renewStudyUpload issues a working URL for the same study.
    const renewed = await h.run<{ renewStudyUpload: { uploadUrl: string; study: { id: string } } }>(
      `mutation ($h: ID!, $s: ID!) { renewStudyUpload(hospitalId: $h, studyId: $s) { uploadUrl study { id } } }`,
      { h: h.id, s: ticket.study.id },
    );
    expect(renewed.data?.renewStudyUpload.study.id).toBe(ticket.study.id);
    expect((await put(instanceUrl(h, renewed.data!.renewStudyUpload), readSample(sampleJpegs()[0]!))).status).toBe(201);
    const again = await h.run(`mutation ($h: ID!, $s: ID!) { renewStudyUpload(hospitalId: $h, studyId: $s) { uploadUrl } }`, {
      h: h.id,
      s: ticket.study.id,
    });
    expect(errorCodes(again)).toEqual(['CONFLICT']);
  });

  it('gives a study registered with createStudy an upload URL through renewStudyUpload', async () => {
    const patient = await h.seed.patient();
    const study = await h.seed.study(patient.id, { accessionNumber: 'ACC-UP-RENEW' });
    const renewed = await h.run<{ renewStudyUpload: { uploadUrl: string } }>(
      `mutation ($h: ID!, $s: ID!) { renewStudyUpload(hospitalId: $h, studyId: $s) { uploadUrl } }`,
      { h: h.id, s: study.id },
      h.tokens.technician,
    );
    const res = await put(instanceUrl(h, renewed.data!.renewStudyUpload), readSample(sampleJpegs()[1]!));
    expect(res.status).toBe(201);
    expect(await studyDetails(h, study.id)).toMatchObject({ accessionNumber: 'ACC-UP-RENEW', status: 'IMAGE_STORED' });
  });

  it('accepts a JPEG once someone gives the placeholder patient its MRN', async () => {
    const ticket = await ticketFor(h, {});
    const updated = await h.run<{ updatePatient: { provisional: boolean } }>(
      `mutation ($h: ID!, $id: ID!) { updatePatient(hospitalId: $h, id: $id, input: { mrn: "MRN-UP-LATER", name: "Named Later" }) { provisional } }`,
      { h: h.id, id: ticket.study.patient.id },
    );
    expect(updated.data?.updatePatient.provisional).toBe(false);
    expect((await put(instanceUrl(h, ticket), readSample(sampleJpegs()[2]!))).status).toBe(201);
  });

  it('refuses a JPEG for a study whose patient was left to the DICOM header', async () => {
    const ticket = await ticketFor(h, {});
    expect(ticket.study.patient).toMatchObject({ provisional: true, birthDate: null });
    const res = await put(instanceUrl(h, ticket), readSample(sampleJpegs()[2]!));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error: 'PATIENT_REQUIRED', message: expect.stringMatching(/JPEG or PNG carries no patient/) });
    expect((await studyDetails(h, ticket.study.id))!.status).toBe('REGISTERED');
  });
});
