import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const DEPLOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(DEPLOY_DIR, '..');

/** The path of an executable on PATH, or undefined. */
export function which(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    const probe = spawnSync('test', ['-x', candidate]);
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** Tells why a suite is skipped: only when the tool itself is missing (.ci/run installs it). */
export function missingBinaryNote(binary: string, debianPackage: string): string {
  const note = `${binary} is not installed: skipping (apt-get install ${debianPackage}; .ci/run installs it)`;
  if (!which(binary)) console.warn(note);
  return note;
}

export function run(command: string, args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: options.cwd ?? DEPLOY_DIR,
    input: options.input,
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: 60_000,
  });
}

export const readText = (relative: string) => readFileSync(path.join(REPO_ROOT, relative), 'utf8');
export const readYaml = <T = unknown>(relative: string): T => YAML.parse(readText(relative)) as T;
export const parseYamlDocuments = (text: string) =>
  YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);

export interface CatalogEntry {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
  status: 'exported' | 'proposed' | 'external';
  source?: string;
  owner?: string;
  help: string;
}

export const catalog = (): CatalogEntry[] => (readYaml<{ metrics: CatalogEntry[] }>('deploy/metrics-catalog.json')).metrics;

export interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

export const ruleFiles = (): Record<string, RuleFile> =>
  Object.fromEntries(
    readdirSync(path.join(DEPLOY_DIR, 'prometheus/rules'))
      .filter((f) => f.endsWith('.yml'))
      .sort()
      .map((f) => [f, readYaml<RuleFile>(`deploy/prometheus/rules/${f}`)]),
  );

export const recordedNames = (): Set<string> =>
  new Set(Object.values(ruleFiles()).flatMap((f) => f.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])))));

const PROMQL_WORDS = new Set([
  'and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'Inf', 'NaN',
]);

/**
 * The metric names a PromQL expression selects. Strings, label matchers, ranges and grouping
 * clauses are removed first; what remains that is neither a function call, a keyword nor a number
 * is a metric name.
 */
export function metricNames(expr: string): Set<string> {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const before = s[m.index - 1];
    if (before && /[0-9.]/.test(before)) continue; // 1e3, 5m
    if (s.slice(m.index + word.length).trimStart().startsWith('(')) continue; // function or aggregation
    if (PROMQL_WORDS.has(word)) continue;
    names.add(word);
  }
  return names;
}

/** Grafana template variables replaced by values Prometheus accepts, to check the PromQL. */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '.*');
}

/** Whether `name` is a catalog metric (histogram series by their _bucket/_sum/_count suffix) or a recorded one. */
export function knownMetric(name: string, entries: CatalogEntry[], recorded: Set<string>): CatalogEntry | 'recorded' | undefined {
  if (recorded.has(name)) return 'recorded';
  const exact = entries.find((e) => e.name === name);
  if (exact && exact.type !== 'histogram') return exact;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  if (base === name) return undefined;
  return entries.find((e) => e.name === base && (e.type === 'histogram' || e.type === 'summary'));
}
