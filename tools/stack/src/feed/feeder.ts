import type { FeedImage, Label } from './sources.js';

export interface FeederHospital {
  id: string;
  slug: string;
  token: string;
}

export interface FeederOptions {
  gatewayUrl: string;
  hospitals: FeederHospital[];
  images: FeedImage[];
  /** Uploads per second across all hospitals. */
  rate: number;
  /** Stop after this many uploads (default: run until stopped). */
  count?: number;
  pneumoniaShare: number;
  seed?: number;
  onUpload?: (line: UploadResult) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  hospital: string;
  label: Label;
  source: string;
  studyId?: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** Small deterministic PRNG so a run with a seed is repeatable. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function graphql<T>(gatewayUrl: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

const CREATE_UPLOAD = `mutation Upload($h: ID!, $input: CreateStudyUploadInput!) {
  createStudyUpload(hospitalId: $h, input: $input) { uploadUrl study { id } }
}`;

/** One technician upload through the public API: createStudyUpload, then PUT the bytes. */
export async function uploadStudy(gatewayUrl: string, hospital: FeederHospital, image: FeedImage): Promise<string> {
  const { createStudyUpload } = await graphql<{ createStudyUpload: { uploadUrl: string; study: { id: string } } }>(
    gatewayUrl,
    hospital.token,
    CREATE_UPLOAD,
    {
      h: hospital.id,
      input: { patient: image.patient, modality: 'CR', bodyPart: 'CHEST', ...(image.acquiredAt ? { acquiredAt: image.acquiredAt } : {}) },
    },
  );
  const put = await fetch(createStudyUpload.uploadUrl, { method: 'PUT', body: await image.bytes() });
  if (!put.ok) {
    const text = await put.text();
    throw new Error(`upload refused (${put.status}): ${text.slice(0, 200)}`);
  }
  return createStudyUpload.study.id;
}

/**
 * Uploads images at a steady rate, round-robin over the hospitals, drawing pneumonia cases with
 * the given share. Returns the results once `count` uploads are done or the signal aborts.
 */
export async function runFeeder(options: FeederOptions): Promise<UploadResult[]> {
  const random = mulberry32(options.seed ?? Date.now());
  const byLabel: Record<Label, FeedImage[]> = {
    normal: options.images.filter((i) => i.label === 'normal'),
    pneumonia: options.images.filter((i) => i.label === 'pneumonia'),
  };
  if (options.hospitals.length === 0) throw new Error('no hospital to upload to');
  if (options.images.length === 0) throw new Error('no images to upload');
  const results: UploadResult[] = [];
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / options.rate;
  const start = Date.now();
  for (let n = 0; options.count === undefined || n < options.count; n++) {
    if (options.signal?.aborted) break;
    const due = start + n * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const hospital = options.hospitals[n % options.hospitals.length]!;
    let label: Label = random() < options.pneumoniaShare ? 'pneumonia' : 'normal';
    if (byLabel[label].length === 0) label = label === 'normal' ? 'pneumonia' : 'normal';
    const pool = byLabel[label];
    const image = pool[Math.floor(random() * pool.length)]!;
    const task = (async () => {
      const t0 = performance.now();
      try {
        const studyId = await uploadStudy(options.gatewayUrl, hospital, image);
        const result = { hospital: hospital.slug, label, source: image.source, studyId, ok: true, ms: performance.now() - t0 };
        results.push(result);
        options.onUpload?.(result);
      } catch (error) {
        const result = { hospital: hospital.slug, label, source: image.source, ok: false, error: (error as Error).message, ms: performance.now() - t0 };
        results.push(result);
        options.onUpload?.(result);
      }
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }
  await Promise.all(inFlight);
  return results;
}
