import { randomUUID } from 'node:crypto';
import { tamperToken } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHospital, type Hospital } from './harness.js';
import { buildDicom, grayPixels, imageEventsFor, newUid, readSample, sampleJpegs, studyDetails, studyEvents, ticketFor, type StudyDetails } from './ingest-fixtures.js';

type DicomJson = Record<string, { vr: string; Value?: Record<string, { vr: string; Value?: unknown[] }>[] }>;

function multipart(parts: { body: Uint8Array | string; type?: string }[]): { body: Buffer; boundary: string } {
  const boundary = `stow-${randomUUID()}`;
  const chunks: Buffer[] = [Buffer.from('preamble, ignored\r\n')];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${part.type ?? 'application/dicom'}\r\n\r\n`));
    chunks.push(Buffer.from(part.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), boundary };
}

describe('DICOMweb STOW-RS: POST /dicom-web/studies', () => {
  let h: Hospital;
  let gray: { gray: Uint8Array; width: number; height: number };
  beforeAll(async () => {
    h = await startHospital();
    gray = await grayPixels(readSample(sampleJpegs()[10]!), 256);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function stow(parts: { body: Uint8Array | string; type?: string }[], token: string | null = h.tokens.integration, contentType?: string) {
    const { body, boundary } = multipart(parts);
    const res = await fetch(`${h.server.url()}/dicom-web/studies`, {
      method: 'POST',
      body,
      headers: {
        'content-type': contentType ?? `multipart/related; type="application/dicom"; boundary=${boundary}`,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    return { status: res.status, contentType: res.headers.get('content-type'), json: (await res.json()) as DicomJson & { error?: string; message?: string } };
  }

  const instance = (attributes: Record<string, string>, options: { withPixelData?: boolean; sopInstanceUid?: string } = {}) => {
    const sopInstanceUid = options.sopInstanceUid ?? newUid();
    return { sopInstanceUid, body: buildDicom({ ...gray, attributes, sopInstanceUid, withPixelData: options.withPixelData }) };
  };

  const byAccession = async (accessionNumber: string): Promise<StudyDetails | null> => {
    const res = await h.run<{ studyByAccessionNumber: { id: string } | null }>(
      `query ($h: ID!, $a: String!) { studyByAccessionNumber(hospitalId: $h, accessionNumber: $a) { id } }`,
      { h: h.id, a: accessionNumber },
    );
    return res.data?.studyByAccessionNumber ? studyDetails(h, res.data.studyByAccessionNumber.id) : null;
  };

  it('stores the valid instance and reports the one without pixel data as failed: 202', async () => {
    const good = instance({ PatientID: 'STOW-P1', PatientName: 'Curie^Marie', PatientSex: 'F', AccessionNumber: 'ACC-STOW-1', StudyDate: '20240105' });
    const empty = instance({ PatientID: 'STOW-P1', AccessionNumber: 'ACC-STOW-2' }, { withPixelData: false });
    const res = await stow([{ body: good.body }, { body: empty.body }]);

    expect(res.status).toBe(202);
    expect(res.contentType).toMatch(/^application\/dicom\+json/);
    expect(res.json['00081199']!.Value).toEqual([
      { '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.1.1'] }, '00081155': { vr: 'UI', Value: [good.sopInstanceUid] } },
    ]);
    const failed = res.json['00081198']!.Value!;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ '00081155': { vr: 'UI', Value: [empty.sopInstanceUid] }, '00081197': { vr: 'US', Value: [0x0122] } });
    expect(String(failed[0]!['00000902']!.Value![0])).toMatch(/no pixel data/);

    const study = await byAccession('ACC-STOW-1');
    expect(study).toMatchObject({
      status: 'IMAGE_STORED',
      sopInstanceUid: good.sopInstanceUid,
      acquiredAt: '2024-01-05T00:00:00.000Z',
      patient: { mrn: 'STOW-P1', name: 'Marie Curie', sex: 'FEMALE', birthDate: null, provisional: false },
      image: { contentType: 'image/png', width: gray.width, height: gray.height },
    });
    expect(await byAccession('ACC-STOW-2')).toBeNull();
    const events = (await studyEvents(h)).filter((e) => e.event.studyId === study!.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.event.image).not.toBeNull();

    // The same instance again is a retry: 200, no second event.
    const again = await stow([{ body: good.body }]);
    expect(again.status).toBe(200);
    expect(again.json['00081199']!.Value).toHaveLength(1);
    expect(imageEventsFor(await studyEvents(h), study!.id)).toHaveLength(1);
  });

  it('requires a bearer token of a technician or integration of this hospital', async () => {
    const { body } = instance({ PatientID: 'STOW-AUTH' });
    const none = await stow([{ body }], null);
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect((await stow([{ body }], tamperToken(h.tokens.integration, { sub: 'intruder' }))).status).toBe(401);
    expect(await stow([{ body }], h.tokens.doctor)).toMatchObject({ status: 403, json: { error: 'FORBIDDEN' } });
    expect(await stow([{ body }], h.tokens.otherIntegration)).toMatchObject({ status: 403, json: { error: 'FORBIDDEN' } });
    expect((await stow([{ body }], h.tokens.technician)).status).toBe(200);
  });

  it('refuses other media types (415), a missing boundary or a broken body (400), and answers 409 when nothing was stored', async () => {
    const { body } = instance({ PatientID: 'STOW-BAD' });
    expect(await stow([{ body }], h.tokens.integration, 'application/dicom')).toMatchObject({ status: 415, json: { error: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await stow([{ body }], h.tokens.integration, 'multipart/related; type="application/dicom+json"; boundary=x')).toMatchObject({ status: 415 });
    expect(await stow([{ body }], h.tokens.integration, 'multipart/related; type="application/dicom"')).toMatchObject({ status: 400 });

    const truncated = await fetch(`${h.server.url()}/dicom-web/studies`, {
      method: 'POST',
      body: `--x\r\nContent-Type: application/dicom\r\n\r\nnot finished`,
      headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=x', authorization: `Bearer ${h.tokens.integration}` },
    });
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringMatching(/closing boundary/) });

    const allFailed = await stow([{ body: 'just text' }, { body: readSample(sampleJpegs()[0]!), type: 'image/jpeg' }]);
    expect(allFailed.status).toBe(409);
    expect(allFailed.json['00081198']!.Value!.map((item) => item['00081197']!.Value![0])).toEqual([0xc000, 0xc000]);
    expect(allFailed.json['00081199']).toBeUndefined();
  });

  it('fills a study registered by createStudyUpload (same accession number) and its placeholder patient', async () => {
    const ticket = await ticketFor(h, { accessionNumber: 'ACC-STOW-WORKLIST' });
    expect(ticket.study.patient.provisional).toBe(true);
    const res = await stow([{ body: instance({ PatientID: 'STOW-WL-1', PatientName: 'Franklin^Rosalind', AccessionNumber: 'ACC-STOW-WORKLIST' }).body }]);
    expect(res.status).toBe(200);
    const study = await studyDetails(h, ticket.study.id);
    expect(study).toMatchObject({
      status: 'IMAGE_STORED',
      patient: { id: ticket.study.patient.id, mrn: 'STOW-WL-1', name: 'Rosalind Franklin', provisional: false },
    });
  });

  it("refuses an instance whose accession number belongs to another patient's study, or to a study that has an image", async () => {
    const patient = await h.seed.patient({ mrn: 'STOW-OWNER' });
    await h.seed.study(patient.id, { accessionNumber: 'ACC-STOW-OWNED' });
    const wrongPatient = await stow([{ body: instance({ PatientID: 'STOW-NOT-OWNER', AccessionNumber: 'ACC-STOW-OWNED' }).body }]);
    expect(wrongPatient.status).toBe(409);
    expect(wrongPatient.json['00081198']!.Value![0]).toMatchObject({ '00081197': { Value: [0x0110] } });
    expect(String(wrongPatient.json['00081198']!.Value![0]!['00000902']!.Value![0])).toMatch(/another patient/);

    const first = instance({ PatientID: 'STOW-OWNER', AccessionNumber: 'ACC-STOW-OWNED' });
    const second = instance({ PatientID: 'STOW-OWNER', AccessionNumber: 'ACC-STOW-OWNED' });
    const res = await stow([{ body: first.body }, { body: second.body }]);
    expect(res.status).toBe(202);
    expect(res.json['00081199']!.Value![0]!['00081155']!.Value).toEqual([first.sopInstanceUid]);
    expect(res.json['00081198']!.Value![0]!['00081155']!.Value).toEqual([second.sopInstanceUid]);
  });
});
