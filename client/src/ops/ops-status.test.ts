import { describe, expect, it } from 'vitest';
import { formatCount, formatRate, formatSeconds, formatUptime, grafanaLink, healthOf } from './ops-status';

describe('ops page wording', () => {
  it('tells ready, not ready and unreachable apart', () => {
    expect(healthOf({ up: true, ready: true })).toBe('ready');
    expect(healthOf({ up: true, ready: false })).toBe('not-ready');
    expect(healthOf({ up: false, ready: false })).toBe('down');
  });

  it('writes uptimes, rates, seconds and counts briefly, with a dash when unknown', () => {
    expect(formatUptime(12.7)).toBe('12 s');
    expect(formatUptime(250)).toBe('4 min 10 s');
    expect(formatUptime(7_500)).toBe('2 h 5 min');
    expect(formatUptime(3 * 86_400 + 4 * 3_600 + 5)).toBe('3 d 4 h');
    expect(formatUptime(null)).toBe('—');
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0)).toBe('0');
    expect(formatRate(2.345)).toBe('2.3');
    expect(formatRate(123.6)).toBe('124');
    expect(formatSeconds(1.234)).toBe('1.23 s');
    expect(formatSeconds(75.4)).toBe('75 s');
    expect(formatSeconds(null)).toBe('—');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(null)).toBe('—');
  });

  it('links to the provisioned dashboards under the configured Grafana URL', () => {
    expect(grafanaLink('https://grafana.example.org/', 'triage-pipeline')).toBe(
      'https://grafana.example.org/d/triage-pipeline',
    );
    expect(grafanaLink('http://127.0.0.1:3000', 'triage-resources')).toBe(
      'http://127.0.0.1:3000/d/triage-resources',
    );
  });
});
