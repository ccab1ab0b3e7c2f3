/**
 * Renders each provisioned dashboard (deploy/grafana/dashboards/*.json) to docs/ops/<name>.png:
 * the real panel layout, titles, types, units, legends and thresholds, filled with SYNTHETIC
 * data. Grafana cannot run where the docs are built, so this is a layout rendering, not a
 * screenshot, and every image says so.  npm run render:dashboards -w @triage/deploy
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY_DIR } from './generated.js';

interface Target {
  expr: string;
  legendFormat?: string;
}
interface Panel {
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  fieldConfig?: {
    defaults?: {
      unit?: string;
      min?: number;
      max?: number;
      thresholds?: { steps: { color: string; value: number | null }[] };
      custom?: { stacking?: { mode: string }; thresholdsStyle?: { mode: string } };
    };
  };
}
interface Dashboard {
  title: string;
  description: string;
  panels: Panel[];
}

const OUT_DIR = path.resolve(DEPLOY_DIR, '../docs/ops');
const WIDTH = 1600;
const MARGIN = 16;
const HEADER = 64;
const UNIT_H = 30;
const COL_W = (WIDTH - 2 * MARGIN) / 24;
const GAP = 6;
const COLORS = ['#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0'];
const THRESHOLD_COLORS: Record<string, string> = { green: '#73BF69', orange: '#FF9830', red: '#F2495C', transparent: 'transparent' };

/** Example label values, so legends read like the real dashboards would. */
const SAMPLE_LABELS: Record<string, string[]> = {
  hospital: ['st-marys', 'general'],
  model_version: ['2026-11-20', '2026-11-27'],
  role: ['active', 'shadow'],
  instance: ['10.0.0.7:4200', '10.0.0.8:4200', '10.0.0.9:4200'],
  job: ['gateway', 'triage', 'hospital', 'inference-worker'],
  le: ['0.1', '0.3', '0.5', '0.7', '0.9', '1'],
  stream_name: ['STUDIES', 'PREDICTIONS', 'TRIAGE'],
  consumer_name: ['inference-worker', 'triage-studies', 'triage-predictions'],
  operation: ['Worklist', 'StudyDetail', 'RecordReview', 'CreateStudyUpload', 'Patients'],
  subgraph: ['hospital', 'triage', 'directory'],
  outcome: ['ok', 'error'],
  reason: ['too_large', 'unsupported_type', 'corrupt'],
  kind: ['transient', 'dead_letter'],
  consumer: ['triage-predictions', 'triage-studies'],
  source: ['live', 'replay'],
  field: ['triageUpdates'],
  status: ['200', '400', '401', '500'],
  finding: ['pneumonia', 'normal', 'uncertain'],
  server_id: ['nats-0', 'nats-1', 'nats-2'],
  datname: ['triage', 'directory', 'hospital'],
  label: ['pneumonia', 'normal'],
};

/** A small deterministic random generator, seeded per panel, so renderings are reproducible. */
function random(seed: string) {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function seriesNames(target: Target, index: number, panelTitle = ''): string[] {
  const samples = (label: string) => {
    if (label === 'reason' && /closed/i.test(panelTitle)) return ['slow_consumer', 'token_expired'];
    if (label === 'outcome' && /Rejected/.test(panelTitle)) return ['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'BAD_USER_INPUT'];
    return SAMPLE_LABELS[label] ?? ['a', 'b'];
  };
  const legend = target.legendFormat && target.legendFormat !== '__auto' ? target.legendFormat : `series ${index + 1}`;
  const placeholders = [...legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);
  if (placeholders.length === 0) return [legend];
  const count = Math.min(4, Math.max(...placeholders.map((p) => samples(p).length)));
  return Array.from({ length: count }, (_, i) => legend.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, p: string) => samples(p)[i % samples(p).length]!));
}

/** A plausible magnitude for the unit (and below a drawn threshold, as on a healthy day). */
function scaleFor(panel: Panel): { base: number; spread: number } {
  const d = panel.fieldConfig?.defaults ?? {};
  const threshold = d.thresholds?.steps.find((s) => s.value !== null && s.color !== 'transparent')?.value ?? undefined;
  if (d.custom?.thresholdsStyle?.mode?.startsWith('line') && threshold) return { base: threshold * 0.35, spread: threshold * 0.3 };
  if (/CPU/.test(panel.title)) return { base: 0.3, spread: 0.3 };
  if (/Replicas|per event/.test(panel.title)) return { base: 2.5, spread: 1 };
  if (/Batch size/.test(panel.title)) return { base: 8, spread: 5 };
  switch (d.unit) {
    case 'percentunit':
      return { base: d.max === 1 ? 0.8 : 0.02, spread: d.max === 1 ? 0.1 : 0.02 };
    case 's':
      return { base: 0.12, spread: 0.1 };
    case 'bytes':
      return { base: 180e6, spread: 120e6 };
    case 'ops':
    case 'reqps':
      return { base: 12, spread: 8 };
    default:
      return { base: 20, spread: 15 };
  }
}

function formatValue(value: number, unit: string | undefined): string {
  const round = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(Math.abs(v) >= 1 ? 1 : 2));
  switch (unit) {
    case 'percentunit':
      return `${(value * 100).toFixed(1)}%`;
    case 's':
      return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${round(value)} s`;
    case 'bytes':
      return value >= 1e9 ? `${round(value / 1e9)} GB` : `${round(value / 1e6)} MB`;
    case 'ops':
      return `${round(value)} ops/s`;
    case 'reqps':
      return `${round(value)} req/s`;
    default:
      return round(value);
  }
}

function thresholdColor(panel: Panel, value: number): string {
  const steps = panel.fieldConfig?.defaults?.thresholds?.steps ?? [];
  let color = steps[0]?.color ?? 'green';
  for (const s of steps) if (s.value !== null && value >= s.value) color = s.color;
  return THRESHOLD_COLORS[color] ?? color;
}

function timeseries(panel: Panel, x: number, y: number, w: number, h: number): string {
  const rnd = random(panel.title);
  const { base, spread } = scaleFor(panel);
  const names = (panel.targets ?? []).flatMap((t, i) => seriesNames(t, i, panel.title)).slice(0, 6);
  const points = 48;
  const stacked = panel.fieldConfig?.defaults?.custom?.stacking?.mode === 'normal';
  // Failures are a small share of the traffic; percentiles come in order (p50 < p90 < p99).
  const damp = /Rejected|failures|Failures|errors|closed|Dead-letter/.test(panel.title) ? 0.08 : 1;
  const series = names.map((name, s) => {
    const percentile = /^p(50|90|95|99)\b/.exec(name)?.[1];
    const order = percentile ? { '50': 0.55, '90': 1, '95': 1.2, '99': 1.6 }[percentile]! : 0.6 + rnd() * 0.8;
    const level = base * order * damp * (stacked ? 0.6 : 1);
    const phase = rnd() * Math.PI * 2;
    return Array.from({ length: points }, (_v, i) => Math.max(0, level + spread * damp * (percentile ? 0.25 : 0.5) * Math.sin(i / 6 + phase + (percentile ? 0 : s)) + spread * damp * 0.25 * (rnd() - 0.5)));
  });
  const ceiling = panel.fieldConfig?.defaults?.max;
  if (ceiling !== undefined) for (const line of series) for (let i = 0; i < line.length; i++) line[i] = Math.min(line[i]!, ceiling * 0.97);
  const values = stacked ? series.map((_, s) => series[0]!.map((_v, i) => series.slice(0, s + 1).reduce((a, b) => a + b[i]!, 0))) : series;
  const d = panel.fieldConfig?.defaults ?? {};
  const threshold = d.custom?.thresholdsStyle?.mode?.startsWith('line') ? d.thresholds?.steps.find((st) => st.value !== null)?.value ?? undefined : undefined;
  const top = Math.max(d.max ?? 0, threshold !== undefined ? threshold * 1.15 : 0, ...values.flat()) * 1.05 || 1;
  const legendH = 16 * Math.ceil(names.length / 3);
  const plot = { x: x + 58, y: y + 30, w: w - 70, h: h - 52 - legendH };
  const px = (i: number) => plot.x + (i / (points - 1)) * plot.w;
  const py = (v: number) => plot.y + plot.h - (v / top) * plot.h;
  let svg = '';
  for (let g = 0; g <= 4; g++) {
    const v = (top * g) / 4;
    svg += `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${py(v)}" y2="${py(v)}" stroke="#2c3235" stroke-width="1"/>`;
    svg += `<text x="${plot.x - 6}" y="${py(v) + 4}" font-size="10" fill="#8e8e8e" text-anchor="end">${escape(formatValue(v, d.unit))}</text>`;
  }
  for (const [label, i] of [['-6h', 0], ['-4h', 16], ['-2h', 32], ['now', 47]] as const) {
    svg += `<text x="${px(i)}" y="${plot.y + plot.h + 13}" font-size="10" fill="#8e8e8e" text-anchor="middle">${label}</text>`;
  }
  if (threshold !== undefined) {
    svg += `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${Math.max(0, py(threshold) - plot.y)}" fill="#F2495C" opacity="0.08"/>`;
    svg += `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${py(threshold)}" y2="${py(threshold)}" stroke="#F2495C" stroke-dasharray="6 4"/>`;
  }
  values.forEach((line, s) => {
    const color = COLORS[s % COLORS.length]!;
    const path = line.map((v, i) => `${i ? 'L' : 'M'}${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    const floor = stacked && s > 0 ? values[s - 1]! : line.map(() => 0);
    const area = `${path} ${floor.map((v, i) => `L${px(points - 1 - i).toFixed(1)},${py(floor[points - 1 - i]!).toFixed(1)}`).join(' ')} Z`;
    svg += `<path d="${area}" fill="${color}" opacity="${stacked ? 0.35 : 0.1}"/><path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>`;
  });
  names.forEach((name, s) => {
    const lx = x + 12 + (s % 3) * ((w - 24) / 3);
    const ly = y + h - legendH - 4 + 16 * Math.floor(s / 3) + 10;
    svg += `<rect x="${lx}" y="${ly - 4}" width="12" height="3" fill="${COLORS[s % COLORS.length]}"/>`;
    svg += `<text x="${lx + 16}" y="${ly}" font-size="10" fill="#ccccdc">${escape(name.length > 34 ? `${name.slice(0, 33)}…` : name)}</text>`;
  });
  return svg;
}

function stat(panel: Panel, x: number, y: number, w: number, h: number): string {
  const rnd = random(panel.title);
  const unit = panel.fieldConfig?.defaults?.unit;
  const steps = panel.fieldConfig?.defaults?.thresholds?.steps ?? [];
  // Healthy on a normal day: the first (good) band, or just inside it.
  const invert = steps[0]?.color === 'red';
  const good = invert ? (steps.at(-1)?.value ?? 1) : (steps[1]?.value ?? undefined);
  let value = scaleFor(panel).base * (0.7 + rnd() * 0.6);
  if (good !== undefined && good !== null) value = invert ? good * (unit === 'percentunit' ? 1.004 : 1.5) : good * 0.3;
  if (unit === 'percentunit' && invert) value = Math.min(value, 0.998);
  if (/Targets down|Dead-lettered|Restarts/.test(panel.title)) value = 0;
  if (/Workers up/.test(panel.title)) value = 3;
  if (/swaps/.test(panel.title)) value = 1;
  const color = thresholdColor(panel, value);
  const text = unit === 'none' && value < 10 ? value.toFixed(2) : /Workers up|Targets|Restarts|Dead-lettered|swaps/.test(panel.title) ? value.toFixed(0) : formatValue(value, unit);
  let spark = '';
  const pts = Array.from({ length: 30 }, (_, i) => y + h - 10 - (0.3 + 0.25 * Math.sin(i / 4 + rnd() * 0.3)) * (h - 40));
  spark = `<path d="${pts.map((p, i) => `${i ? 'L' : 'M'}${x + 4 + (i / 29) * (w - 8)},${p.toFixed(1)}`).join(' ')}" fill="none" stroke="#ffffff" stroke-opacity="0.35" stroke-width="1.5"/>`;
  return `<rect x="${x + 1}" y="${y + 26}" width="${w - 2}" height="${h - 27}" fill="${color}" opacity="0.85"/>${spark}<text x="${x + w / 2}" y="${y + 26 + (h - 26) / 2 + 12}" font-size="${Math.min(34, h / 3)}" font-weight="bold" fill="#ffffff" text-anchor="middle">${escape(text)}</text>`;
}

function bargauge(panel: Panel, x: number, y: number, w: number, h: number): string {
  const rnd = random(panel.title);
  const names = (panel.targets ?? []).flatMap((t, i) => seriesNames(t, i, panel.title)).slice(0, 6);
  const unit = panel.fieldConfig?.defaults?.unit;
  const rowH = Math.min(28, (h - 36) / names.length);
  let svg = '';
  names.forEach((name, i) => {
    const share = /risk <=/.test(name) ? Math.min(1, 0.35 + i * 0.13) : 0.75 + rnd() * 0.2;
    const by = y + 32 + i * rowH;
    const bx = x + 110;
    const bw = w - 190;
    svg += `<text x="${x + 10}" y="${by + rowH / 2 + 4}" font-size="10" fill="#ccccdc">${escape(name)}</text>`;
    svg += `<rect x="${bx}" y="${by + 3}" width="${bw}" height="${rowH - 6}" fill="#22252b"/>`;
    svg += `<rect x="${bx}" y="${by + 3}" width="${bw * share}" height="${rowH - 6}" fill="url(#bar)"/>`;
    svg += `<text x="${x + w - 10}" y="${by + rowH / 2 + 4}" font-size="11" fill="#ccccdc" text-anchor="end">${escape(formatValue(share, unit))}</text>`;
  });
  return svg;
}

function heatmap(panel: Panel, x: number, y: number, w: number, h: number): string {
  const rnd = random(panel.title);
  const rows = 10;
  const cols = 40;
  const plot = { x: x + 40, y: y + 30, w: w - 52, h: h - 48 };
  let svg = '';
  for (let r = 0; r < rows; r++) {
    // Most studies are low risk, with a second mode near the top (the pneumonia cases).
    const weight = Math.exp(-r / 2.2) + 0.45 * Math.exp(-((r - 8.5) ** 2) / 2);
    for (let c = 0; c < cols; c++) {
      const v = Math.min(1, weight * (0.6 + 0.5 * rnd()));
      svg += `<rect x="${plot.x + (c * plot.w) / cols}" y="${plot.y + plot.h - ((r + 1) * plot.h) / rows}" width="${plot.w / cols - 1}" height="${plot.h / rows - 1}" fill="#FF780A" opacity="${(0.08 + 0.9 * v).toFixed(2)}"/>`;
    }
    svg += `<text x="${plot.x - 6}" y="${plot.y + plot.h - (r * plot.h) / rows - 3}" font-size="9" fill="#8e8e8e" text-anchor="end">${((r + 1) / 10).toFixed(1)}</text>`;
  }
  return svg;
}

function renderPanel(panel: Panel, top: number): string {
  const x = MARGIN + panel.gridPos.x * COL_W + GAP / 2;
  const y = top + panel.gridPos.y * UNIT_H + GAP / 2;
  const w = panel.gridPos.w * COL_W - GAP;
  const h = panel.gridPos.h * UNIT_H - GAP;
  if (panel.type === 'row') {
    return `<text x="${x + 4}" y="${y + 20}" font-size="15" font-weight="bold" fill="#d8d9da">${escape(panel.title)}</text><line x1="${x}" x2="${x + w}" y1="${y + h}" y2="${y + h}" stroke="#2c3235"/>`;
  }
  const body =
    panel.type === 'timeseries' ? timeseries(panel, x, y, w, h) : panel.type === 'stat' ? stat(panel, x, y, w, h) : panel.type === 'bargauge' ? bargauge(panel, x, y, w, h) : heatmap(panel, x, y, w, h);
  return `<g><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="#181b1f" stroke="#2c3235"/>${body}<text x="${x + 10}" y="${y + 18}" font-size="12" font-weight="bold" fill="#ccccdc">${escape(panel.title)}</text></g>`;
}

export function renderDashboardSvg(dashboard: Dashboard): string {
  const bottom = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  const height = HEADER + bottom * UNIT_H + MARGIN + 24;
  const caption = 'Layout rendering with SYNTHETIC data (deploy/scripts/render-dashboards.ts): panels, queries and thresholds as provisioned; values are made up. Not a Grafana screenshot.';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, Liberation Sans, sans-serif">
<defs><linearGradient id="bar" x1="0" x2="1"><stop offset="0" stop-color="#5794F2"/><stop offset="0.6" stop-color="#FADE2A"/><stop offset="1" stop-color="#F2495C"/></linearGradient></defs>
<rect width="100%" height="100%" fill="#111217"/>
<text x="${MARGIN}" y="30" font-size="20" fill="#d8d9da">${escape(dashboard.title)}</text>
<text x="${MARGIN}" y="50" font-size="11" fill="#8e8e8e">${escape(dashboard.description)}</text>
<rect x="${WIDTH - 430}" y="14" width="414" height="26" rx="4" fill="#3d2a00" stroke="#FF9830"/>
<text x="${WIDTH - 223}" y="31" font-size="12" fill="#FFB357" text-anchor="middle">LAYOUT RENDERING · SYNTHETIC DATA · NOT LIVE</text>
${dashboard.panels.map((p) => renderPanel(p, HEADER)).join('\n')}
<text x="${MARGIN}" y="${height - 12}" font-size="11" fill="#8e8e8e">${escape(caption)}</text>
</svg>`;
}

async function main(): Promise<void> {
  // sharp (librsvg) rasterises the SVG; imported here so the SVG code loads without it.
  const { default: sharp } = await import('sharp');
  mkdirSync(OUT_DIR, { recursive: true });
  const dir = path.join(DEPLOY_DIR, 'grafana/dashboards');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const dashboard = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Dashboard;
    const out = path.join(OUT_DIR, file.replace(/\.json$/, '.png'));
    await sharp(Buffer.from(renderDashboardSvg(dashboard))).png({ compressionLevel: 9, palette: true, quality: 90 }).toFile(out);
    console.log(`rendered ${path.relative(path.resolve(DEPLOY_DIR, '..'), out)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
