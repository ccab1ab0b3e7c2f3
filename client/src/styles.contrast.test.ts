import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** WCAG 2.x contrast of the colour pairs the stylesheet actually uses. */
const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');
const colors = new Map([...css.matchAll(/--color-([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

function color(name: string): string {
  const value = colors.get(name);
  if (!value) throw new Error(`--color-${name} is not defined in styles.css`);
  return value;
}

// [foreground, background]
const TEXT_PAIRS: [string, string][] = [
  ['text', 'page'],
  ['text', 'surface'],
  ['text', 'new-row'],
  ['muted', 'page'],
  ['muted', 'surface'],
  ['link', 'surface'],
  ['link', 'page'],
  ['link', 'error-bg'],
  ['on-primary', 'primary'],
  ['on-primary', 'primary-hover'],
  ['on-header', 'header'],
  ['on-header', 'primary-hover'],
  ['header-link', 'header'],
  ['error', 'surface'],
  ['error', 'error-bg'],
  ['success', 'surface'],
  ['notice-text', 'notice-bg'],
  ['risk-high-text', 'risk-high-bg'],
  ['risk-medium-text', 'risk-medium-bg'],
  ['risk-low-text', 'risk-low-bg'],
  ['risk-unknown-text', 'risk-unknown-bg'],
  ['live-text', 'live-bg'],
  ['pending-text', 'pending-bg'],
  ['offline-text', 'offline-bg'],
  ['on-viewer', 'viewer-bg'],
];

// Borders of inputs and the focus ring (WCAG 1.4.11: 3:1).
const NON_TEXT_PAIRS: [string, string][] = [
  ['control-border', 'surface'],
  ['control-border', 'page'],
  ['focus', 'surface'],
  ['focus', 'page'],
  ['focus', 'header'],
  ['focus', 'viewer-bg'],
  ['primary', 'surface'],
  // Research charts: lines, markers and bars against the panel they are drawn on.
  ['chart-blue', 'surface'],
  ['chart-orange', 'surface'],
  ['chart-green', 'surface'],
  ['chart-violet', 'surface'],
  ['chart-pink', 'surface'],
  ['chart-pneumonia', 'surface'],
  ['chart-normal', 'surface'],
  ['chart-uncertain', 'surface'],
];

describe('colour contrast', () => {
  it.each(TEXT_PAIRS)('text %s on %s is at least 4.5:1', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT_PAIRS)('%s against %s is at least 3:1', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(3);
  });

  it('computes contrast like WCAG', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
