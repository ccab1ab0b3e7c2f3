import { tamperToken } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHospital, type Hospital } from './harness.js';
import { buildDicom, readObject, smallJpeg, studyDetails, studyWithImage } from './ingest-fixtures.js';

describe('GET /studies/:studyId/image', () => {
  let h: Hospital;
  let jpeg: Buffer;
  let jpegStudyId: string;

  beforeAll(async () => {
    h = await startHospital();
    jpeg = await smallJpeg(80, 60);
    jpegStudyId = (await studyWithImage(h, jpeg)).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = (studyId: string, token?: string, method = 'GET') =>
    fetch(`${h.server.url()}/studies/${studyId}/image`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('streams the image to doctors, technicians and integrations of the hospital, never cached', async () => {
    for (const token of [h.tokens.doctor, h.tokens.technician, h.tokens.integration]) {
      const res = await get(jpegStudyId, token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('content-length')).toBe(String(jpeg.length));
      expect(Buffer.from(await res.arrayBuffer()).equals(jpeg)).toBe(true);
    }
  });

  it('serves the PNG rendition of a DICOM upload, not the DICOM file', async () => {
    const width = 32;
    const height = 24;
    const gray = new Uint8Array(width * height).map((_, i) => (i * 7) % 256);
    const dicom = buildDicom({ width, height, gray, attributes: { PatientID: 'MRN-IMG-DCM', PatientName: 'Doe^Jane' } });
    const study = await studyWithImage(h, dicom, {});
    const details = (await studyDetails(h, study.id))!;
    expect(details.image).toMatchObject({ contentType: 'image/png', key: `studies/${study.id}/rendition.png` });

    const res = await get(study.id, h.tokens.doctor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(Buffer.from((await readObject(h, details.image!.key))!))).toBe(true);
    expect(body.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('answers 401 without a token or with a forged one', async () => {
    const none = await get(jpegStudyId);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ error: 'UNAUTHENTICATED' });

    const forged = tamperToken(h.tokens.otherDoctor, { memberships: [{ hospitalId: h.id, role: 'doctor' }] });
    expect((await get(jpegStudyId, forged)).status).toBe(401);
  });

  it('answers 403 to a doctor of another hospital and to platform roles', async () => {
    for (const token of [h.tokens.otherDoctor, h.tokens.otherIntegration, h.tokens.researcher, h.tokens.admin]) {
      const res = await get(jpegStudyId, token);
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ error: 'FORBIDDEN' });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('answers 404 for a study without an image, an unknown study and a malformed id', async () => {
    const patient = await h.seed.patient();
    const noImage = await h.seed.study(patient.id);
    const res = await get(noImage.id, h.tokens.doctor);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'NOT_FOUND', message: 'the study has no image yet' });
    expect((await get(crypto.randomUUID(), h.tokens.doctor)).status).toBe(404);
    expect((await get('..%2F..%2Fetc', h.tokens.doctor)).status).toBe(404);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await get(jpegStudyId, h.tokens.doctor, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(jpeg.length));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});
