import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { medmnistSplit, readNpz } from '@triage/model';
import { openObjectStore } from '@triage/nats';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetExample } from '../src/dataset/dataset-example.entity.js';
import { greyPng, hospitalId, labeledExample, publishAndWait, pseudonym, sha256, startHarness, type Harness } from './harness.js';

const FREEZE = /* GraphQL */ `
  mutation Freeze($name: String) {
    freezeDataset(name: $name) {
      id version name contentHash exampleCount skippedCount imageSize createdBy createdAt
      labelCounts { pneumonia normal }
      splitCounts { train val test }
      exports { format objectKey sha256 bytes downloadPath }
    }
  }
`;
interface DatasetResult {
  id: string;
  version: number;
  name: string | null;
  contentHash: string;
  exampleCount: number;
  skippedCount: number;
  imageSize: number;
  createdBy: string;
  labelCounts: { pneumonia: number; normal: number };
  splitCounts: { train: number; val: number; test: number };
  exports: { format: 'NPZ' | 'ZIP'; objectKey: string; sha256: string; bytes: number; downloadPath: string }[];
}

const SPLITS = ['train', 'val', 'test'] as const;
const RESEARCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../research');

/** Loads the .npz with the training pipeline's own loader (research/triage_research/data.py, numpy). */
async function loadWithTrainingPipeline(npz: Uint8Array): Promise<Record<string, { n: number; positives: number; shape: number[] }>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'research-npz-'));
  try {
    const file = path.join(dir, 'export.npz');
    await writeFile(file, npz);
    const script = [
      'import json, sys',
      'from triage_research.data import load_split',
      'out = {}',
      'for name in ("train", "val", "test"):',
      '    s = load_split(sys.argv[1], name)',
      '    out[name] = {"n": len(s), "positives": int(s.labels.sum()), "shape": list(s.images.shape)}',
      'print(json.dumps(out))',
    ].join('\n');
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script, file], { env: { ...process.env, PYTHONPATH: RESEARCH_DIR } });
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('datasets', () => {
  let h: Harness;
  const hospital = hospitalId('data');
  /** grey level of each seeded image -> its label (1 pneumonia, 0 normal). */
  const labelOfGrey = new Map<number, number>();
  const sharedPatient = pseudonym();
  const sharedGreys = [20, 110];

  const freeze = async (name?: string) => {
    const result = await h.gql<{ freezeDataset: DatasetResult }>(FREEZE, { name });
    expect(result.errors).toBeUndefined();
    return result.data!.freezeDataset;
  };
  const download = (path: string, token: string | null = h.researcher) =>
    fetch(`${h.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses to freeze while there is nothing to freeze', async () => {
    const result = await h.gql(FREEZE);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('freezes PNEUMONIA / NORMAL examples into a PneumoniaMNIST .npz', async () => {
    const events = [];
    for (let i = 0; i < 12; i++) {
      const grey = 20 + i * 15;
      const finding = i % 3 === 0 ? 'normal' : 'pneumonia';
      labelOfGrey.set(grey, finding === 'pneumonia' ? 1 : 0);
      events.push(
        await labeledExample(h, {
          hospitalId: hospital,
          finding,
          grey,
          // Two films of one patient: they must land in the same split.
          pseudonym: sharedGreys.includes(grey) ? sharedPatient : undefined,
          model: { version: 'v1', risk: 0.5, label: 'pneumonia' },
        }),
      );
    }
    // Left out: an uncertain finding, an image that never arrived, an image that is not the one announced.
    events.push(await labeledExample(h, { hospitalId: hospital, finding: 'uncertain', grey: 250 }));
    events.push(await labeledExample(h, { hospitalId: hospital, finding: 'pneumonia', grey: 251, storeImage: false }));
    const swapped = await labeledExample(h, { hospitalId: hospital, finding: 'normal', grey: 252 });
    await (await openObjectStore(h.nc, h.topology.buckets.research)).putBlob({ name: swapped.image.key }, await greyPng(253));
    events.push(swapped);
    await publishAndWait(h, events);

    const dataset = await freeze('  first snapshot ');
    expect(dataset).toMatchObject({
      version: 1,
      name: 'first snapshot',
      exampleCount: 12,
      skippedCount: 2,
      imageSize: 28,
      createdBy: 'researcher-1',
      labelCounts: { pneumonia: 8, normal: 4 },
    });
    expect(dataset.contentHash).toMatch(/^[a-f0-9]{64}$/);
    expect(dataset.splitCounts.train + dataset.splitCounts.val + dataset.splitCounts.test).toBe(12);
    const npzExport = dataset.exports.find((e) => e.format === 'NPZ')!;
    expect(npzExport.downloadPath).toBe(`/datasets/${dataset.id}/npz`);

    const res = await download(npzExport.downloadPath);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(npzExport.sha256);
    expect(res.headers.get('x-content-sha256')).toBe(npzExport.sha256);
    expect(bytes.length).toBe(npzExport.bytes);

    const arrays = await readNpz(bytes);
    expect(Object.keys(arrays).sort()).toEqual(['test_images', 'test_labels', 'train_images', 'train_labels', 'val_images', 'val_labels']);
    const splitOfGrey = new Map<number, string>();
    for (const split of SPLITS) {
      const images = arrays[`${split}_images`]!;
      const labels = arrays[`${split}_labels`]!;
      const n = dataset.splitCounts[split];
      expect(images).toMatchObject({ dtype: '|u1', shape: [n, 28, 28] });
      expect(labels).toMatchObject({ dtype: '|u1', shape: [n, 1] });
      const { images: pixels, labels: values } = medmnistSplit(arrays, split);
      pixels.forEach((image, i) => {
        // A uniform grey film stays uniform through crop, resize and grey conversion.
        const grey = image[0]!;
        expect(image.every((v) => v === grey)).toBe(true);
        expect(labelOfGrey.has(grey)).toBe(true);
        expect(values[i]).toBe(labelOfGrey.get(grey));
        splitOfGrey.set(grey, split);
      });
    }
    expect([...splitOfGrey.keys()].sort((a, b) => a - b)).toEqual([...labelOfGrey.keys()]);
    expect(splitOfGrey.get(sharedGreys[0]!)).toBe(splitOfGrey.get(sharedGreys[1]!));

    const members = await h.server.orm.em.fork().count(DatasetExample, { dataset: dataset.id });
    expect(members).toBe(12);

    // The training pipeline reads it as it reads the official PneumoniaMNIST file.
    const loaded = await loadWithTrainingPipeline(bytes);
    for (const split of SPLITS) {
      expect(loaded[split]).toEqual({
        n: dataset.splitCounts[split],
        positives: [...medmnistSplit(arrays, split).labels].filter((v) => v === 1).length,
        shape: [dataset.splitCounts[split], 28, 28],
      });
    }
  });

  it('exports PNG files and a CSV manifest that agree with the .npz', async () => {
    const { data } = await h.gql<{ datasets: DatasetResult[] }>(`{ datasets { id exports { format sha256 downloadPath } } }`);
    const zipExport = data!.datasets[0]!.exports.find((e) => e.format === 'ZIP')!;
    const res = await download(zipExport.downloadPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(zipExport.sha256);
    const files = unzipSync(bytes);
    const [header, ...rows] = new TextDecoder().decode(files['manifest.csv']).trim().split('\r\n');
    expect(header).toBe('example_id,label,split,file,hospital_id,pseudonym,model_version,age_band,sex,study_year');
    expect(rows).toHaveLength(12);
    for (const line of rows) {
      const [exampleId, label, split, file, hospitalCol, , modelVersion, ageBand, sex, year] = line.split(',');
      expect(file).toBe(`images/${split}/${exampleId}.png`);
      expect([hospitalCol, modelVersion, ageBand, sex, year]).toEqual([hospital, 'v1', '40-49', 'FEMALE', '2025']);
      const meta = await sharp(files[file!]!).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 28, 28, 1]);
      const pixels = await sharp(files[file!]!).extractChannel(0).raw().toBuffer();
      expect(String(labelOfGrey.get(pixels[0]!))).toBe(label);
    }
    expect(Object.keys(files).filter((f) => f.endsWith('.png'))).toHaveLength(12);
  });

  it('gives the same content hash and files when frozen again without new data', async () => {
    const first = (await h.gql<{ datasets: DatasetResult[] }>(`{ datasets { id version contentHash exports { objectKey sha256 } } }`)).data!.datasets[0]!;
    const second = await freeze();
    expect(second.version).toBe(first.version + 1);
    expect(second.name).toBeNull();
    expect(second.contentHash).toBe(first.contentHash);
    expect(second.exports.map((e) => [e.objectKey, e.sha256])).toEqual(first.exports.map((e) => [e.objectKey, e.sha256]));

    await publishAndWait(h, [await labeledExample(h, { hospitalId: hospital, finding: 'normal', grey: 5 })]);
    const third = await freeze('with one more');
    expect(third).toMatchObject({ version: second.version + 1, exampleCount: 13 });
    expect(third.contentHash).not.toBe(first.contentHash);

    const { data } = await h.gql<{ datasets: DatasetResult[]; dataset: DatasetResult | null; missing: DatasetResult | null }>(
      `query ($id: ID!) { datasets { version } dataset(id: $id) { id version } missing: dataset(id: "00000000-0000-0000-0000-000000000000") { id } }`,
      { id: third.id },
    );
    expect(data!.datasets.map((d) => d.version)).toEqual([3, 2, 1]);
    expect(data!.dataset).toEqual({ id: third.id, version: 3 });
    expect(data!.missing).toBeNull();
  });

  it('serves downloads to researchers only', async () => {
    const { data } = await h.gql<{ datasets: DatasetResult[] }>(`{ datasets { id } }`);
    const id = data!.datasets[0]!.id;
    expect((await download(`/datasets/${id}/npz`, h.doctor)).status).toBe(403);
    expect((await download(`/datasets/${id}/npz`, null)).status).toBe(401);
    expect((await download(`/datasets/${id}/zip`, h.admin)).status).toBe(200);
    expect((await download(`/datasets/${id}/csv`)).status).toBe(404);
    const missing = await download('/datasets/00000000-0000-0000-0000-000000000000/npz');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'NOT_FOUND' });
  });
});
