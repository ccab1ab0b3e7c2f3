import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readNpz } from '@triage/model';
import sharp from 'sharp';

export type Label = 'normal' | 'pneumonia';

export interface FakePatient {
  mrn: string;
  name: string;
  birthDate: string;
  sex: 'UNKNOWN';
}

export interface FeedImage {
  label: Label;
  /** Where it came from, for progress lines (never a patient name). */
  source: string;
  bytes: () => Promise<Uint8Array>;
  patient: FakePatient;
  acquiredAt?: string;
}

export const ZENODO_NPZ_URL = 'https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1';
export const ZENODO_NPZ_MD5 = '28209eda62fecd6e6a2d98b1501bb15f';

/** `demo_<Name>_<PatientId>_<BirthDate>_<XrayDate>.jpeg`, as in the project's sample images. */
const SAMPLE_NAME = /^demo_(.+)_(\d+)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.(jpe?g|png)$/i;

export function patientFromFileName(file: string): { patient: FakePatient; acquiredAt: string } | undefined {
  const m = SAMPLE_NAME.exec(path.basename(file));
  if (!m) return undefined;
  return {
    patient: { mrn: `FEED-${m[2]}`, name: m[1]!, birthDate: m[3]!, sex: 'UNKNOWN' },
    acquiredAt: new Date(`${m[4]}T09:00:00Z`).toISOString(),
  };
}

function labelFromPath(file: string): Label | undefined {
  const parts = file.toUpperCase().split(path.sep);
  if (parts.includes('PNEUMONIA')) return 'pneumonia';
  if (parts.includes('NORMAL')) return 'normal';
  return undefined;
}

/** Images of a folder (recursively); the label comes from a NORMAL / PNEUMONIA folder on the path. */
export function folderSource(folder: string): FeedImage[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(jpe?g|png|dcm)$/i.test(entry)) files.push(full);
    }
  };
  walk(folder);
  return files.map((file, i) => {
    const parsed = patientFromFileName(file);
    return {
      label: labelFromPath(file) ?? 'normal',
      source: path.relative(folder, file).replace(/demo_.*/, `sample ${i + 1}`),
      bytes: async () => new Uint8Array(await readFile(file)),
      patient: parsed?.patient ?? { mrn: `FEED-F${i}`, name: `Feed Patient ${i}`, birthDate: '2016-01-01', sex: 'UNKNOWN' },
      acquiredAt: parsed?.acquiredAt,
    };
  });
}

/** The test split of a PneumoniaMNIST .npz, each 28x28 image encoded as PNG. */
export async function npzSource(file: string): Promise<FeedImage[]> {
  const arrays = await readNpz(file);
  const images = arrays.test_images;
  const labels = arrays.test_labels;
  if (!images || !labels) throw new Error(`${file} has no test_images / test_labels`);
  const [count, height, width] = images.shape as [number, number, number];
  const pixels = images.data as Uint8Array;
  return Array.from({ length: count }, (_, i) => ({
    label: Number(labels.data[i]) === 1 ? 'pneumonia' : 'normal',
    source: `test image ${i}`,
    bytes: async () =>
      new Uint8Array(
        await sharp(Buffer.from(pixels.subarray(i * width * height, (i + 1) * width * height)), {
          raw: { width, height, channels: 1 },
        })
          .png()
          .toBuffer(),
      ),
    patient: { mrn: `FEED-N${i}`, name: `Feed Patient ${i}`, birthDate: '2016-01-01', sex: 'UNKNOWN' },
  }));
}

/** Downloads the official PneumoniaMNIST file once, MD5-checked, with a progress bar on stderr. */
export async function ensureNpz(file: string, url = ZENODO_NPZ_URL, md5 = ZENODO_NPZ_MD5): Promise<string> {
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  process.stderr.write(`PneumoniaMNIST not found at ${file}; downloading it from ${url}\n`);
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const hash = createHash('md5');
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let received = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    out.write(chunk);
    received += chunk.length;
    if (total) {
      const share = received / total;
      const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
      process.stderr.write(`\r  [${bar}] ${(share * 100).toFixed(0)}% of ${(total / 1e6).toFixed(1)} MB`);
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  process.stderr.write('\n');
  const digest = hash.digest('hex');
  if (digest !== md5) throw new Error(`downloaded file has MD5 ${digest}, expected ${md5}; not using it`);
  renameSync(partial, file);
  return file;
}
