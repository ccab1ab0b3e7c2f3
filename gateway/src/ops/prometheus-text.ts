/**
 * A parser for the Prometheus text exposition format 0.0.4 (what prom-client writes): HELP and
 * TYPE lines, samples with escaped label values, +Inf/-Inf/NaN, optional timestamps.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: string;
  help: string;
}

export class PrometheusText {
  constructor(
    readonly samples: Sample[],
    readonly families: Map<string, MetricFamily>,
  ) {}

  /** Samples of one series name whose labels include `labels`. */
  series(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }

  /** Sum over the matching series (0 when none match). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.series(name, labels).reduce((total, s) => total + s.value, 0);
  }

  /** Largest value over the matching series, or undefined when none match. */
  max(name: string, labels: Record<string, string> = {}): number | undefined {
    const values = this.series(name, labels).map((s) => s.value);
    return values.length ? Math.max(...values) : undefined;
  }

  /** A histogram's cumulative buckets summed over the matching series, sorted by bound. */
  buckets(name: string, labels: Record<string, string> = {}): { le: number; count: number }[] {
    const byBound = new Map<number, number>();
    for (const s of this.series(`${name}_bucket`, labels)) {
      const le = parseValue(s.labels.le ?? '');
      byBound.set(le, (byBound.get(le) ?? 0) + s.value);
    }
    return [...byBound.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  }
}

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case; prom-client writes "Nan"). */
function parseValue(text: string): number {
  switch (text.toLowerCase()) {
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Number.POSITIVE_INFINITY;
    case '-inf':
    case '-infinity':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
      return Number.NaN;
    default: {
      const value = Number(text);
      if (text.trim() === '' || Number.isNaN(value)) throw new Error(`not a sample value: "${text}"`);
      return value;
    }
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Reads `{a="x",b="y\"z"}` from `line` at `start`; returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (!name) throw new Error(`bad label name at ${i}`);
    i += name.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`expected =" after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i += 1;
      }
    }
    labels[name] = value;
    i += 1;
  }
}

export function parsePrometheusText(text: string): PrometheusText {
  const samples: Sample[] = [];
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: '' }));
    return f;
  };
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    try {
      if (line.startsWith('#')) {
        const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
        if (meta?.[1] === 'HELP')
          family(meta[2]!).help = meta[3]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
        if (meta?.[1] === 'TYPE') family(meta[2]!).type = meta[3]!.trim();
        continue;
      }
      const name = NAME.exec(line)?.[0];
      if (!name) throw new Error('no metric name');
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i));
      const [value, timestamp] = line.slice(i).trim().split(/\s+/);
      if (value === undefined) throw new Error('no value');
      if (timestamp !== undefined && !/^-?\d+$/.test(timestamp))
        throw new Error(`bad timestamp "${timestamp}"`);
      samples.push({ name, labels, value: parseValue(value) });
    } catch (error) {
      throw new Error(
        `Prometheus text line ${index + 1}: ${(error as Error).message}: ${line.slice(0, 200)}`,
      );
    }
  }
  return new PrometheusText(samples, families);
}

/**
 * The q-quantile of a cumulative histogram, interpolated linearly inside the bucket the way
 * PromQL's histogram_quantile does; undefined without observations.
 */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (!total || !Number.isFinite(q)) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      // Past the last finite bound PromQL answers with that bound.
      if (!Number.isFinite(le)) return lowerBound;
      if (count === lowerCount) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
