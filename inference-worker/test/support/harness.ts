import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  decodeEvent,
  encodeEvent,
  InferenceDeadLetterV1,
  messageIds,
  natsTopology,
  PredictionCreatedV1,
  StudyCreatedV1,
} from '@triage/contracts';
import { publishModel, type ActiveModelRecord } from '@triage/model';
import { connectNats, destroyNamespace, ensureStreams, openObjectStore, type NatsConnection, type ObjectStore } from '@triage/nats';
import { TEST_NATS_URL, uniqueName } from '@triage/testing';
export { tinyModel } from '@triage/testing';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const SAMPLES_DIR = path.resolve(REPO_ROOT, '../shared/data/xray-samples');

export function sampleFiles(): string[] {
  return ['NORMAL', 'PNEUMONIA'].flatMap((label) => {
    const dir = path.join(SAMPLES_DIR, label);
    return (execFileSync('ls', [dir], { encoding: 'utf8' }).trim().split('\n') as string[]).map((f) => path.join(dir, f));
  });
}

/** The NATS side of the pipeline for one test file: its own namespace, a hospital image bucket. */
export class PipelineHarness {
  readonly ns = uniqueName('w');
  readonly topology = natsTopology(this.ns);
  readonly hospitalId = randomUUID();
  nc!: NatsConnection;
  images!: ObjectStore;

  async start(): Promise<this> {
    this.nc = await connectNats({ url: TEST_NATS_URL, name: 'worker-test' });
    await ensureStreams(this.nc, this.topology);
    this.images = await openObjectStore(this.nc, this.topology.buckets.hospitalImages('test'));
    return this;
  }

  async publishModel(bytes: Uint8Array) {
    return publishModel(this.nc, this.topology, bytes);
  }

  /**
   * Stores `<version>.onnx` in the models bucket without touching the registry's keys, and returns
   * the pointer a key would hold (for tests that set `active` or `shadow` themselves).
   */
  async storeModelObject(version: string, bytes: Uint8Array): Promise<ActiveModelRecord> {
    const record = modelRecord(version, bytes);
    await (await openObjectStore(this.nc, this.topology.buckets.models)).putBlob({ name: record.object }, bytes);
    return record;
  }

  /** Stores an image as the hospital would and announces the study. */
  async publishStudy(bytes: Uint8Array, contentType = 'image/jpeg', studyId = randomUUID()): Promise<string> {
    const key = `studies/${studyId}/original`;
    await this.images.putBlob({ name: key }, bytes);
    let width = 1;
    let height = 1;
    try {
      const meta = await sharp(bytes).metadata();
      width = meta.width ?? 1;
      height = meta.height ?? 1;
    } catch {
      // not an image: the worker must dead-letter it
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const event: StudyCreatedV1 = {
      version: 1,
      hospitalId: this.hospitalId,
      studyId,
      modality: 'CR',
      bodyPart: 'CHEST',
      acquiredAt: new Date().toISOString(),
      image: { bucket: this.topology.buckets.hospitalImages('test'), key, sha256, contentType, width, height },
      occurredAt: new Date().toISOString(),
    };
    await jetstream(this.nc).publish(this.topology.subjects.studyCreated(this.hospitalId), encodeEvent(StudyCreatedV1, event), {
      msgID: messageIds.studyImageStored(studyId, sha256),
    });
    return studyId;
  }

  private async readStream<T>(stream: string, decode: (data: Uint8Array) => T): Promise<T[]> {
    const jsm = await jetstreamManager(this.nc);
    const info = await jsm.streams.info(stream);
    const out: T[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (msg) out.push(decode(msg.data));
    }
    return out;
  }

  /** Predictions stored so far: one cheap stream-info request (for polling; predictions() reads each message). */
  async predictionCount(): Promise<number> {
    const info = await (await jetstreamManager(this.nc)).streams.info(this.topology.streams.predictions);
    return info.state.messages;
  }

  predictions() {
    return this.readStream(this.topology.streams.predictions, (d) => decodeEvent(PredictionCreatedV1, d));
  }

  deadLetters() {
    return this.readStream(this.topology.streams.deadLetters, (d) => decodeEvent(InferenceDeadLetterV1, d));
  }

  async stop() {
    await destroyNamespace(this.nc, this.topology).catch(() => undefined);
    await this.nc.close();
  }
}

/** A uniform grey PNG: it stays uniform (every pixel `level`) through decoding and resizing. */
export async function greyImage(level: number, width = 64, height = 64): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } }).png().toBuffer());
}

/** The registry's pointer to `<version>.onnx` with these bytes, as `active` or `shadow` holds it. */
export function modelRecord(version: string, bytes: Uint8Array): ActiveModelRecord {
  return { version, object: `${version}.onnx`, sha256: createHash('sha256').update(bytes).digest('hex'), publishedAt: new Date().toISOString() };
}
