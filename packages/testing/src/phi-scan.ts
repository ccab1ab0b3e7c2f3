import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The sample X-rays (read in place, never copied): their file names carry the fake patients burned into them. */
export const XRAY_SAMPLES_DIR = path.resolve(REPO_ROOT, '../shared/data/xray-samples');

/** `demo_<Name>_<PatientId>_<BirthDate>_<XrayDate>.jpeg` */
const SAMPLE_NAME = /^demo_(.+)_(\d+)_(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})\.(jpe?g|png)$/i;

/**
 * Patient data the test suites seed: the fake patients of the sample X-rays (names, ids, birth
 * dates, as the demo feeder registers them) and the patients the test seed builders create. MRNs
 * that carry a counter or a timestamp are listed by their fixed prefix.
 */
export function seededPhi(): (string | RegExp)[] {
  const values: (string | RegExp)[] = [
    // e2e/test/support/pipeline.ts uploadThroughGateway
    'E2E Patient', /E2E-\d{10,}-\d+/, '2016-03-04',
    // e2e/test/browser.test.ts and research-page.test.ts
    'Browser Test Patient', /BROWSER-\d{10,}/, '2016-05-06', 'Research Page Patient', /RESEARCH-PAGE-\d{10,}/, '2016-07-08',
    // gateway/test/support/seed.ts createPatientWithStudy
    /MRN-(st-marys|general)-\d+-\d+/, 'Patient st-marys', 'Patient general',
    // subgraphs/hospital/test/ingest-fixtures.ts newPatient
    'Ada Lovelace', '1985-03-14',
  ];
  if (existsSync(XRAY_SAMPLES_DIR)) {
    for (const folder of readdirSync(XRAY_SAMPLES_DIR)) {
      const dir = path.join(XRAY_SAMPLES_DIR, folder);
      for (const file of existsSync(dir) ? readdirSync(dir) : []) {
        const m = SAMPLE_NAME.exec(file);
        // Name, the id (also as the feeder's MRN) and the birth date; the X-ray date is a study date, not an identity.
        if (m) values.push(m[1]!, `FEED-${m[2]}`, m[3]!);
      }
    }
  }
  return values;
}

export interface PhiHit {
  value: string;
  where: string;
}

/**
 * Scans response bodies for seeded patient data. Every value is also looked for in the forms a
 * DICOM header or a CSV would hold it (YYYYMMDD dates, `Last^First` names), case-insensitively,
 * in the raw bytes (exports are stored, not compressed, archives).
 */
export class PhiScanner {
  /** Lower-cased needle -> the seeded value it stands for. */
  private readonly needles = new Map<string, string>();
  /** Values with a counter or a timestamp in them (MRNs of the seed builders). */
  private readonly patterns: RegExp[] = [];
  scanned = 0;
  bytes = 0;
  readonly hits: PhiHit[] = [];

  constructor(values: Iterable<string | RegExp> = seededPhi()) {
    this.add(...values);
  }

  add(...values: (string | RegExp)[]): this {
    for (const value of values) {
      if (value instanceof RegExp) {
        this.patterns.push(new RegExp(value.source, 'i'));
        continue;
      }
      if (value.trim().length < 4) throw new Error(`"${value}" is too short to scan for without false hits`);
      const variants = [value];
      if (/^\d{4}-\d{2}-\d{2}$/.test(value)) variants.push(value.replaceAll('-', ''));
      const words = value.trim().split(/\s+/);
      if (words.length >= 2 && words.every((w) => /^[\p{L}'-]+$/u.test(w))) variants.push(`${words.at(-1)}^${words.slice(0, -1).join(' ')}`);
      for (const variant of variants) this.needles.set(variant.toLowerCase(), value);
    }
    return this;
  }

  get values(): (string | RegExp)[] {
    return [...new Set(this.needles.values()), ...this.patterns];
  }

  scan(body: Uint8Array | string, where: string): void {
    const text = (typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1')).toLowerCase();
    this.scanned += 1;
    this.bytes += text.length;
    for (const [needle, value] of this.needles) if (text.includes(needle)) this.hits.push({ value, where });
    for (const pattern of this.patterns) if (pattern.test(text)) this.hits.push({ value: String(pattern), where });
  }

  /** Throws unless responses were scanned and none carried a seeded value. */
  assertClean(what = 'the research service'): void {
    if (this.scanned === 0) throw new Error(`no response of ${what} was scanned: the PHI scan saw nothing`);
    if (this.hits.length) {
      throw new Error(`${this.hits.length} response(s) of ${what} carried seeded patient data: ${JSON.stringify(this.hits.slice(0, 10))}`);
    }
  }
}
