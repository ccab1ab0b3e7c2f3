import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { decodeEvent, StudyCreatedV1 } from '@triage/contracts';
import { jetstreamManager, openObjectStore } from '@triage/nats';
import dcmjs from 'dcmjs';
import sharp from 'sharp';
import type { GqlResult, Hospital } from './harness.js';

dcmjs.log.setLevel('error');

/** The sample X-rays live outside the repository and are read in place, never copied into it. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const SAMPLES_DIR = path.resolve(REPO_ROOT, '../shared/data/xray-samples');

export function sampleJpegs(): string[] {
  return ['NORMAL', 'PNEUMONIA'].flatMap((label) =>
    readdirSync(path.join(SAMPLES_DIR, label))
      .filter((name) => name.endsWith('.jpeg'))
      .sort()
      .map((name) => path.join(SAMPLES_DIR, label, name)),
  );
}

export const readSample = (file: string) => readFileSync(file);

export interface Ticket {
  study: {
    id: string;
    accessionNumber: string;
    modality: string;
    bodyPart: string;
    acquiredAt: string;
    status: string;
    patient: { id: string; mrn: string; name: string; birthDate: string | null; sex: string; provisional: boolean };
  };
  uploadUrl: string;
  expiresAt: string;
  maxBytes: number;
}

export const TICKET_FIELDS = `study { id accessionNumber modality bodyPart acquiredAt status patient { id mrn name birthDate sex provisional } }
  uploadUrl expiresAt maxBytes`;

export const STUDY_DETAILS = `id accessionNumber modality bodyPart acquiredAt status studyInstanceUid sopInstanceUid
  image { bucket key sha256 contentType width height }
  original { key sha256 contentType size }
  patient { id mrn name birthDate sex provisional }`;

export interface StudyDetails {
  id: string;
  accessionNumber: string;
  modality: string;
  bodyPart: string;
  acquiredAt: string;
  status: string;
  studyInstanceUid: string | null;
  sopInstanceUid: string | null;
  image: { bucket: string; key: string; sha256: string; contentType: string; width: number; height: number } | null;
  original: { key: string; sha256: string; contentType: string; size: number } | null;
  patient: Ticket['study']['patient'];
}

export async function createUpload(h: Hospital, input: Record<string, unknown> = {}, token?: string): Promise<GqlResult<{ createStudyUpload: Ticket }>> {
  return h.run<{ createStudyUpload: Ticket }>(
    `mutation ($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { ${TICKET_FIELDS} } }`,
    { h: h.id, input },
    token,
  );
}

/** createStudyUpload that must succeed. */
export async function ticketFor(h: Hospital, input: Record<string, unknown> = {}): Promise<Ticket> {
  const res = await createUpload(h, input);
  if (!res.data?.createStudyUpload) throw new Error(`createStudyUpload failed: ${JSON.stringify(res.errors)}`);
  return res.data.createStudyUpload;
}

export const newPatient = (overrides: Record<string, unknown> = {}) => ({
  mrn: `MRN-${randomUUID().slice(0, 8)}`,
  name: 'Ada Lovelace',
  birthDate: '1985-03-14',
  sex: 'FEMALE',
  ...overrides,
});

export async function studyDetails(h: Hospital, id: string): Promise<StudyDetails | null> {
  const res = await h.run<{ study: StudyDetails | null }>(`query ($h: ID!, $id: ID!) { study(hospitalId: $h, id: $id) { ${STUDY_DETAILS} } }`, {
    h: h.id,
    id,
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.study;
}

/**
 * The gateway forwards `/uploads/<hospitalId>/<token>` to `/uploads/<token>` of the instance;
 * these tests call the instance directly.
 */
export function instanceUrl(h: Hospital, ticket: Pick<Ticket, 'uploadUrl'>): string {
  const token = new URL(ticket.uploadUrl).pathname.split('/').at(-1)!;
  return `${h.server.url()}/uploads/${token}`;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export async function put(url: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream', ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * PUTs `total` bytes with node:http (backpressure respected), stopping as soon as an answer
 * arrives; reports how much had been written by then.
 */
export function putLarge(
  url: string,
  total: number,
  { chunked, looksLike = 'jpeg' }: { chunked: boolean; looksLike?: 'jpeg' | 'text' },
): Promise<{ status?: number; json?: Record<string, unknown>; written: number; error?: string }> {
  const chunk = Buffer.alloc(256 * 1024, 0x41);
  // Starts like a JPEG, so only its size can be held against it.
  const first = looksLike === 'jpeg' ? Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), chunk.subarray(4)]) : chunk;
  return new Promise((resolve) => {
    let written = 0;
    let answered = false;
    const req = http.request(url, { method: 'PUT', headers: chunked ? {} : { 'content-length': String(total) } }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode, json: text ? JSON.parse(text) : undefined, written });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered) resolve({ written, error: error.code ?? error.message });
    });
    const pump = () => {
      while (!answered && written < total) {
        const next = written === 0 ? first : chunk;
        written += next.length;
        if (!req.write(next)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

export async function grayPixels(image: Uint8Array, resizeWidth?: number): Promise<{ gray: Uint8Array; width: number; height: number }> {
  let pipeline = sharp(image).greyscale();
  if (resizeWidth) pipeline = pipeline.resize({ width: resizeWidth });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { gray: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
}

export interface DicomOptions {
  width: number;
  height: number;
  /** One 8-bit gray sample per pixel. */
  gray: Uint8Array;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  bits?: 8 | 16;
  /** Stored value of each gray sample (16-bit images). */
  stored?: (gray: number) => number;
  bitsStored?: number;
  rescale?: { slope: number; intercept: number };
  window?: { center: number; width: number };
  withPixelData?: boolean;
  transferSyntax?: string;
  /** Encapsulated frame for compressed transfer syntaxes. */
  frame?: Uint8Array;
  /** Header attributes by dcmjs keyword (PatientID, PatientName, ...). */
  attributes?: Record<string, string>;
  sopInstanceUid?: string;
}

export const newUid = () => `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;

/** A DICOM Part 10 file written by dcmjs (Digital X-Ray, for presentation). */
export function buildDicom(o: DicomOptions): Buffer {
  const bits = o.bits ?? 8;
  let pixelData: ArrayBuffer | ArrayBuffer[] | undefined;
  if (o.frame) {
    pixelData = [o.frame.slice().buffer];
  } else if (bits === 16) {
    const samples = new Uint16Array(o.width * o.height);
    for (let i = 0; i < samples.length; i++) samples[i] = (o.stored ?? ((g) => g))(o.gray[i]!);
    pixelData = samples.buffer;
  } else {
    pixelData = o.gray.slice().buffer;
  }
  const bitsStored = o.bitsStored ?? bits;
  const dataset: Record<string, unknown> = {
    _meta: { TransferSyntaxUID: { Value: [o.transferSyntax ?? '1.2.840.10008.1.2.1'] } },
    _vrMap: { PixelData: bits === 16 && !o.frame ? 'OW' : 'OB' },
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    SOPInstanceUID: o.sopInstanceUid ?? newUid(),
    StudyInstanceUID: newUid(),
    SeriesInstanceUID: newUid(),
    Modality: 'DX',
    Rows: o.height,
    Columns: o.width,
    SamplesPerPixel: 1,
    PhotometricInterpretation: o.photometric ?? 'MONOCHROME2',
    BitsAllocated: bits,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: 0,
    ...(o.rescale ? { RescaleSlope: String(o.rescale.slope), RescaleIntercept: String(o.rescale.intercept) } : {}),
    ...(o.window ? { WindowCenter: String(o.window.center), WindowWidth: String(o.window.width) } : {}),
    ...o.attributes,
  };
  if (o.withPixelData !== false) dataset.PixelData = pixelData;
  return Buffer.from(dcmjs.data.datasetToDict(dataset).write({ fragmentMultiframe: false }));
}

/**
 * A valid grayscale PNG of width x height black pixels, assembled by hand (sharp would take
 * tens of seconds to encode 900 megapixels): under 1 MB on the wire, gigabytes once decoded.
 */
export async function blackPng(width: number, height: number): Promise<Buffer> {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const deflate = zlib.createDeflate({ level: 1 });
  const compressed: Buffer[] = [];
  deflate.on('data', (c: Buffer) => compressed.push(c));
  const ended = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const rowsPerWrite = Math.max(1, Math.floor((8 * 1024 * 1024) / (width + 1)));
  const block = Buffer.alloc((width + 1) * rowsPerWrite); // filter byte 0 + zero samples per row
  for (let row = 0; row < height; row += rowsPerWrite) {
    if (!deflate.write(block.subarray(0, (width + 1) * Math.min(rowsPerWrite, height - row)))) {
      await new Promise((resolve) => deflate.once('drain', resolve));
    }
  }
  deflate.end();
  await ended;
  const idat = Buffer.concat(compressed);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

export interface PublishedStudyEvent {
  msgId: string | undefined;
  event: StudyCreatedV1;
  raw: string;
}

/** Every StudyCreated event of this hospital on the studies stream, in stream order. */
export async function studyEvents(h: Hospital): Promise<PublishedStudyEvent[]> {
  const jsm = await jetstreamManager(h.nc);
  const { state } = await jsm.streams.info(h.topology.streams.studies);
  const events: PublishedStudyEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(h.topology.streams.studies, { seq }).catch(() => null);
    if (!msg || msg.subject !== h.topology.subjects.studyCreated(h.id)) continue;
    events.push({ msgId: msg.header.get('Nats-Msg-Id'), event: decodeEvent(StudyCreatedV1, msg.data), raw: msg.string() });
  }
  return events;
}

export const imageEventsFor = (events: PublishedStudyEvent[], studyId: string) =>
  events.filter((e) => e.event.studyId === studyId && e.event.image !== null);

export async function readObject(h: Hospital, key: string): Promise<Uint8Array | null> {
  const store = await openObjectStore(h.nc, h.topology.buckets.hospitalImages(h.config.hospital.slug));
  return store.getBlob(key);
}

/** Current value of a counter on the instance's /metrics (summed over labels). */
export async function metricValue(h: Hospital, name: string): Promise<number> {
  const text = await (await fetch(`${h.server.url()}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** A small gray JPEG (a gradient, so it is not trivially compressible). */
export async function smallJpeg(width = 64, height = 48): Promise<Buffer> {
  const gray = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) gray[y * width + x] = (x * 3 + y * 2) % 256;
  return sharp(gray, { raw: { width, height, channels: 1 } }).jpeg({ quality: 90 }).toBuffer();
}

/** Registers a study for a new (or the given) patient and PUTs its image; the image upload must succeed. */
export async function studyWithImage(
  h: Hospital,
  bytes: Uint8Array,
  input: Record<string, unknown> = { patient: newPatient() },
): Promise<Ticket['study']> {
  const ticket = await ticketFor(h, input);
  const res = await put(instanceUrl(h, ticket), bytes);
  if (res.status !== 201) throw new Error(`uploading the image failed: ${res.status} ${JSON.stringify(res.json)}`);
  return ticket.study;
}
