import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHospital, type Hospital } from './harness.js';
import {
  blackPng,
  buildDicom,
  grayPixels,
  imageEventsFor,
  instanceUrl,
  metricValue,
  newPatient,
  put,
  putLarge,
  readSample,
  sampleJpegs,
  studyDetails,
  studyEvents,
  ticketFor,
  type Ticket,
} from './ingest-fixtures.js';

const MIB = 1024 * 1024;
const BYTES_READ = 'ingest_body_bytes_read_total';

describe('upload limits and bad files: clear errors, nothing stored, no event', () => {
  let h: Hospital;
  beforeAll(async () => {
    h = await startHospital();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The study stays registered without an image, and its URL still takes a good image afterwards. */
  async function expectNothingStored(ticket: Ticket): Promise<void> {
    const study = await studyDetails(h, ticket.study.id);
    expect(study).toMatchObject({ status: 'REGISTERED', image: null, original: null });
    expect(imageEventsFor(await studyEvents(h), ticket.study.id)).toEqual([]);
    expect((await put(instanceUrl(h, ticket), readSample(sampleJpegs()[0]!))).status).toBe(201);
  }

  it('a truncated JPEG: 422 corrupt image', async () => {
    const jpeg = readSample(sampleJpegs()[1]!);
    const ticket = await ticketFor(h, { patient: newPatient() });
    const res = await put(instanceUrl(h, ticket), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error: 'CORRUPT_IMAGE', message: expect.stringMatching(/corrupt image: the JPEG is damaged: it ends inside its image data \(truncated\)/) });
    await expectNothingStored(ticket);
  });

  it('a zero-byte file: 400', async () => {
    const ticket = await ticketFor(h, { patient: newPatient() });
    const res = await put(instanceUrl(h, ticket), new Uint8Array(0));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'EMPTY_UPLOAD', message: expect.stringMatching(/empty/) });
    await expectNothingStored(ticket);
  });

  it('a text file, even named and typed as a JPEG: 415', async () => {
    const ticket = await ticketFor(h, { patient: newPatient() });
    const text = 'name,mrn\nAda Lovelace,MRN-1\n'.repeat(20);
    const res = await put(`${instanceUrl(h, ticket)}?filename=xray.jpg`, text, { 'content-type': 'image/jpeg' });
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ error: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/JPEG, PNG and DICOM/) });
    await expectNothingStored(ticket);
  });

  it('a 70 MB stream that is not an image: 415 from its first bytes, the rest is not read', async () => {
    const ticket = await ticketFor(h, { patient: newPatient() });
    const readBefore = await metricValue(h, BYTES_READ);
    const res = await putLarge(instanceUrl(h, ticket), 70 * 1000 * 1000, { chunked: true, looksLike: 'text' });
    expect(res).toMatchObject({ status: 415, json: { error: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect((await metricValue(h, BYTES_READ)) - readBefore).toBeLessThan(2 * MIB);
    await expectNothingStored(ticket);
  });

  it('a 30000 x 30000 PNG: refused by its header, quickly and without decoding it', async () => {
    const png = await blackPng(30_000, 30_000);
    expect(png.length).toBeLessThan(8 * MIB);
    const ticket = await ticketFor(h, { patient: newPatient() });
    const started = performance.now();
    const res = await put(instanceUrl(h, ticket), png);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({
      error: 'TOO_MANY_PIXELS',
      message: expect.stringMatching(/too many pixels: the image is 30000 x 30000 = 900000000 pixels, at most 50000000/),
    });
    // Decoding 900 megapixels takes seconds and gigabytes; reading the header takes milliseconds.
    expect(elapsed).toBeLessThan(1_000);
    await expectNothingStored(ticket);
  });

  it('a DICOM without pixel data: 422', async () => {
    const source = await grayPixels(readSample(sampleJpegs()[2]!), 64);
    const ticket = await ticketFor(h, { patient: newPatient() });
    const res = await put(instanceUrl(h, ticket), buildDicom({ ...source, withPixelData: false }));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error: 'NO_PIXEL_DATA', message: expect.stringMatching(/DICOM has no pixel data/) });
    await expectNothingStored(ticket);
  });

  it('a truncated DICOM: 422', async () => {
    const source = await grayPixels(readSample(sampleJpegs()[2]!), 256);
    const dicom = buildDicom({ ...source, bits: 16, stored: (g) => g * 4 });
    const ticket = await ticketFor(h, { patient: newPatient() });
    const res = await put(instanceUrl(h, ticket), dicom.subarray(0, dicom.length - 5000));
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error: 'CORRUPT_IMAGE', message: expect.stringMatching(/corrupt DICOM/) });
    await expectNothingStored(ticket);
  });

  it('a 70 MB upload with Content-Length: 413 before the body is read', async () => {
    const ticket = await ticketFor(h, { patient: newPatient() });
    const readBefore = await metricValue(h, BYTES_READ);
    const res = await putLarge(instanceUrl(h, ticket), 70 * 1000 * 1000, { chunked: false });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/larger than 64 MiB/) });
    expect(res.written).toBeLessThan(70 * 1000 * 1000);
    expect((await metricValue(h, BYTES_READ)) - readBefore).toBeLessThan(MIB);
    await expectNothingStored(ticket);
  });

  it('a 70 MB upload without Content-Length: 413 once 64 MiB have arrived, and the rest is not read', async () => {
    const ticket = await ticketFor(h, { patient: newPatient() });
    const readBefore = await metricValue(h, BYTES_READ);
    const res = await putLarge(instanceUrl(h, ticket), 70 * 1000 * 1000, { chunked: true });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    const read = (await metricValue(h, BYTES_READ)) - readBefore;
    expect(read).toBeGreaterThan(64 * MIB);
    expect(read).toBeLessThan(64 * MIB + 2 * MIB);
    await expectNothingStored(ticket);
  });
});

describe('MAX_UPLOAD_BYTES and MAX_IMAGE_PIXELS are configurable', () => {
  let h: Hospital;
  beforeAll(async () => {
    h = await startHospital({ env: { MAX_UPLOAD_BYTES: String(100_000), MAX_IMAGE_PIXELS: String(1_000_000) } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses what the defaults would accept', async () => {
    const [big, many] = [sampleJpegs().find((f) => readSample(f).length > 100_000)!, sampleJpegs().find((f) => readSample(f).length < 100_000)!];
    const ticket = await ticketFor(h, { patient: newPatient() });
    expect(ticket.maxBytes).toBe(100_000);
    const tooBig = await put(instanceUrl(h, ticket), readSample(big));
    expect(tooBig).toMatchObject({ status: 413, json: { error: 'PAYLOAD_TOO_LARGE' } });
    const tooManyPixels = await put(instanceUrl(h, ticket), readSample(many));
    expect(tooManyPixels).toMatchObject({ status: 413, json: { error: 'TOO_MANY_PIXELS' } });
    const small = await grayPixels(readSample(many), 300);
    const dicom = buildDicom({ width: 1200, height: 1000, gray: new Uint8Array(1_200_000) });
    expect(await put(instanceUrl(h, ticket), dicom)).toMatchObject({ status: 413, json: { error: 'PAYLOAD_TOO_LARGE' } });
    const tiny = buildDicom({ ...small });
    expect((await put(instanceUrl(h, ticket), tiny)).status).toBe(201);
  });
});
