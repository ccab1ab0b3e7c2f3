/** Pure helpers of the research page's SVG charts (no chart library). */

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The upper end of a count axis: a nice tick at or above `max` (at least 1). */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const ticks = niceTicks(0, max, 4);
  const last = ticks.at(-1) ?? max;
  if (last >= max) return last;
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : max;
  return last + step;
}

export interface XY {
  x: number;
  /** null leaves a gap in the line. */
  y: number | null;
}

/** An SVG path through the points; a null breaks the line. */
export function linePath(points: readonly XY[]): string {
  let path = '';
  let pen = false;
  for (const { x, y } of points) {
    if (y === null || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return path;
}

export interface TimePoint {
  /** ISO date-time. */
  at: string;
  value: number | null;
}

export interface Series {
  name: string;
  points: TimePoint[];
}

/** One series per model version of an agreement metric, each ordered by time. */
export function seriesByVersion<P extends { modelVersion: string; bucketStart?: string | null }>(
  rows: readonly P[],
  value: (row: P) => number | null | undefined,
): Series[] {
  const byVersion = new Map<string, TimePoint[]>();
  for (const row of rows) {
    if (!row.bucketStart) continue;
    const points = byVersion.get(row.modelVersion) ?? [];
    points.push({ at: row.bucketStart, value: value(row) ?? null });
    byVersion.set(row.modelVersion, points);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, points]) => ({ name, points: points.sort((a, b) => a.at.localeCompare(b.at)) }));
}

/** The time domain (ms) of several series; a single instant is widened by a day each side. */
export function timeDomain(series: readonly { points: readonly { at: string }[] }[]): [number, number] | null {
  const times = series.flatMap((s) => s.points.map((p) => Date.parse(p.at))).filter(Number.isFinite);
  if (times.length === 0) return null;
  const min = Math.min(...times);
  const max = Math.max(...times);
  const DAY = 86_400_000;
  return min === max ? [min - DAY, max + DAY] : [min, max];
}

/** Up to `count` evenly spread dates of the domain, as labels like "4 Mar". */
export function timeTicks([start, end]: readonly [number, number], count = 5): { at: number; label: string }[] {
  const steps = Math.max(1, count - 1);
  const format = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const seen = new Set<string>();
  const ticks: { at: number; label: string }[] = [];
  for (let i = 0; i <= steps; i++) {
    const at = start + ((end - start) * i) / steps;
    const label = format.format(new Date(at));
    if (seen.has(label)) continue;
    seen.add(label);
    ticks.push({ at, label });
  }
  return ticks;
}

/** "83%" for 0.83; an en dash when unknown. */
export function percent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)}%`;
}
