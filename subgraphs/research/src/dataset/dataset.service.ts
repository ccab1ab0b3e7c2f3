import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '@triage/auth';
import type { Logger } from '@triage/logger';
import { centerSquareTriangle, decodeGrayscale } from '@triage/model';
import type { ObjectStore } from '@triage/nats';
import type { Orm } from '@triage/service-common';
import sharp from 'sharp';
import { mapLimit } from '../common/map-limit.js';
import type { NatsResources } from '../common/nats-resources.js';
import { putIfAbsent, sha256Hex } from '../common/object-digest.js';
import { LabeledExample } from '../labeled-example/labeled-example.entity.js';
import { binaryLabel } from '../labeled-example/research-enums.js';
import { DatasetExample, SPLITS, type Split } from './dataset-example.entity.js';
import { datasetContentHash, splitOf } from './dataset-split.js';
import { Dataset, type DatasetFormat } from './dataset.entity.js';
import { deterministicZip, npzUint8 } from './npz-writer.js';

/** Side of the exported images: PneumoniaMNIST's 28 x 28. */
export const DATASET_IMAGE_SIZE = 28;
const MAX_NAME_LENGTH = 200;
/** Images decoded at once while freezing (each full-size film is decoded in memory). */
const DECODE_CONCURRENCY = 4;

export const MANIFEST_COLUMNS = [
  'example_id',
  'label',
  'split',
  'file',
  'hospital_id',
  'pseudonym',
  'model_version',
  'age_band',
  'sex',
  'study_year',
] as const;

interface FrozenExample {
  example: LabeledExample;
  label: 0 | 1;
  split: Split;
  /** size x size uint8 grey pixels. */
  pixels: Uint8Array;
}

/** RFC 4180 quoting, plus a leading quote for cells a spreadsheet would run as a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const imageFileName = (split: Split, exampleId: string) => `images/${split}/${encodeURIComponent(exampleId)}.png`;

export interface DatasetExports {
  npz: Uint8Array;
  zip: Uint8Array;
}

/** Both exports of a set of frozen examples (sorted by example id within each split). */
export async function buildExports(examples: readonly FrozenExample[], size = DATASET_IMAGE_SIZE): Promise<DatasetExports> {
  const arrays: Record<string, { data: Uint8Array; shape: number[] }> = {};
  for (const split of SPLITS) {
    const members = examples.filter((e) => e.split === split);
    const images = new Uint8Array(members.length * size * size);
    members.forEach((e, i) => images.set(e.pixels, i * size * size));
    arrays[`${split}_images`] = { data: images, shape: [members.length, size, size] };
    arrays[`${split}_labels`] = { data: Uint8Array.from(members.map((e) => e.label)), shape: [members.length, 1] };
  }
  const files: Record<string, Uint8Array> = {};
  const lines = [MANIFEST_COLUMNS.join(',')];
  for (const { example: e, label, split, pixels } of examples) {
    const file = imageFileName(split, e.exampleId);
    files[file] = new Uint8Array(
      await sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 1 } })
        .toColourspace('b-w')
        .png({ compressionLevel: 9 })
        .toBuffer(),
    );
    lines.push(
      [e.exampleId, label, split, file, e.hospitalId, e.pseudonym, e.modelVersion, e.ageBand, e.sex, e.studyYear].map(csvCell).join(','),
    );
  }
  files['manifest.csv'] = new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
  return { npz: npzUint8(arrays), zip: deterministicZip(files, 0) };
}

export const datasetObjectKey = (contentHash: string, fileSha256: string, format: DatasetFormat) =>
  `datasets/${contentHash}/${fileSha256}.${format}`;

export class DatasetService {
  constructor(
    private readonly orm: Orm,
    private readonly nats: NatsResources,
    private readonly log: Logger,
  ) {}

  /**
   * Freezes every example with a PNEUMONIA or NORMAL finding into a new dataset version: images
   * reduced to 28 x 28 grey exactly as the model's preprocessing does (so training sees what
   * inference sees), split per patient, exported as .npz and PNG + CSV into the research bucket.
   * Examples whose image is missing, does not match its SHA-256 or cannot be decoded are left out
   * and counted in `skippedCount`.
   */
  async freeze(name: string | null | undefined, actor: string): Promise<Dataset> {
    const label = name?.trim() || null;
    if (label && label.length > MAX_NAME_LENGTH) throw badInput(`name must be at most ${MAX_NAME_LENGTH} characters`);
    const candidates = await this.orm.em
      .fork()
      .find(LabeledExample, { finding: { $in: ['pneumonia', 'normal'] } }, { orderBy: { exampleId: 'asc' } });
    if (candidates.length === 0) throw badInput('There are no labelled examples with a PNEUMONIA or NORMAL finding to freeze');

    const store = await this.nats.researchStore();
    const prepared = await mapLimit(candidates, DECODE_CONCURRENCY, (example) => this.prepare(store, example));
    const examples = prepared.filter((e): e is FrozenExample => e !== null);
    if (examples.length === 0) throw badInput('None of the labelled examples has a readable image');

    const contentHash = datasetContentHash(examples.map((e) => ({ exampleId: e.example.exampleId, imageSha256: e.example.imageSha256, label: e.label })));
    const exportsBytes = await buildExports(examples);
    const files = {} as Record<DatasetFormat, { key: string; sha256: string; bytes: number }>;
    for (const format of ['npz', 'zip'] as const) {
      const bytes = exportsBytes[format];
      const sha256 = sha256Hex(bytes);
      const key = datasetObjectKey(contentHash, sha256, format);
      // Content-addressed names: a file once stored is never replaced, older versions keep theirs.
      await putIfAbsent(store, key, bytes, { description: `dataset ${contentHash.slice(0, 12)} (${format})` });
      files[format] = { key, sha256, bytes: bytes.length };
    }

    const count = (predicate: (e: FrozenExample) => boolean) => examples.filter(predicate).length;
    return this.orm.em.fork().transactional(async (em: EntityManager) => {
      // Versions are handed out one at a time, in commit order.
      await em.execute(`select pg_advisory_xact_lock(hashtextextended('research:dataset-version', 0))`);
      const [{ max }] = (await em.execute('select coalesce(max("version"), 0)::int as "max" from "dataset"')) as [{ max: number }];
      const dataset = em.create(Dataset, {
        version: Number(max) + 1,
        name: label,
        contentHash,
        exampleCount: examples.length,
        pneumoniaCount: count((e) => e.label === 1),
        normalCount: count((e) => e.label === 0),
        trainCount: count((e) => e.split === 'train'),
        valCount: count((e) => e.split === 'val'),
        testCount: count((e) => e.split === 'test'),
        skippedCount: candidates.length - examples.length,
        imageSize: DATASET_IMAGE_SIZE,
        npzObject: files.npz.key,
        npzSha256: files.npz.sha256,
        npzBytes: files.npz.bytes,
        zipObject: files.zip.key,
        zipSha256: files.zip.sha256,
        zipBytes: files.zip.bytes,
        createdAt: new Date(),
        createdBy: actor,
      });
      const positions = { train: 0, val: 0, test: 0 };
      for (const e of examples) {
        em.create(DatasetExample, {
          dataset,
          example: em.getReference(LabeledExample, e.example.exampleId),
          split: e.split,
          label: e.label,
          position: positions[e.split]++,
        });
      }
      await em.flush();
      this.log.info(
        { datasetId: dataset.id, version: dataset.version, contentHash, examples: examples.length, skipped: dataset.skippedCount },
        'froze a dataset',
      );
      return dataset;
    });
  }

  private async prepare(store: ObjectStore, example: LabeledExample): Promise<FrozenExample | null> {
    const label = binaryLabel(example.finding);
    const where = { exampleId: example.exampleId };
    if (label === null) return null;
    if (example.imageBucket !== this.nats.topology.buckets.research) {
      this.log.warn(where, 'example image is outside the research bucket; left out of the dataset');
      return null;
    }
    const bytes = await store.getBlob(example.imageKey);
    if (!bytes) {
      this.log.warn(where, 'example image is missing; left out of the dataset');
      return null;
    }
    if (sha256Hex(bytes) !== example.imageSha256) {
      this.log.warn(where, 'example image does not match its SHA-256; left out of the dataset');
      return null;
    }
    try {
      const pixels = centerSquareTriangle(await decodeGrayscale(bytes), DATASET_IMAGE_SIZE);
      return { example, label, split: splitOf(example.hospitalId, example.pseudonym), pixels };
    } catch (error) {
      this.log.warn({ ...where, err: error }, 'example image cannot be decoded; left out of the dataset');
      return null;
    }
  }

  async findAll(em: EntityManager): Promise<Dataset[]> {
    return em.find(Dataset, {}, { orderBy: { version: 'desc' } });
  }

  async findById(em: EntityManager, id: string): Promise<Dataset | null> {
    if (!UUID.test(id)) return null;
    return em.findOne(Dataset, { id });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
