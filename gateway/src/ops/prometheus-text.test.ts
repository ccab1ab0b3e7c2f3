import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { histogramQuantile, parsePrometheusText } from './prometheus-text.js';

describe('Prometheus text parser', () => {
  it('reads what prom-client writes: labels with escapes, histograms, HELP and TYPE', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'test' });
    const counter = new Counter({
      name: 'jobs_total',
      help: 'Jobs\nby kind',
      labelNames: ['kind'],
      registers: [registry],
    });
    counter.inc({ kind: 'a "quoted" \\ kind\nwith a newline' }, 3);
    counter.inc({ kind: 'plain' });
    new Gauge({ name: 'depth', help: 'Depth', registers: [registry] }).set(-2.5);
    const histogram = new Histogram({
      name: 'latency_seconds',
      help: 'Latency',
      buckets: [1, 2, 4],
      registers: [registry],
    });
    for (const v of [0.5, 1.5, 1.5, 3, 10]) histogram.observe(v);

    const text = parsePrometheusText(await registry.metrics());
    expect(text.families.get('jobs_total')).toEqual({
      name: 'jobs_total',
      type: 'counter',
      help: 'Jobs\nby kind',
    });
    expect(text.sum('jobs_total', { kind: 'a "quoted" \\ kind\nwith a newline' })).toBe(3);
    expect(text.sum('jobs_total')).toBe(4);
    expect(text.sum('jobs_total', { service: 'test', kind: 'plain' })).toBe(1);
    expect(text.max('depth')).toBe(-2.5);
    expect(text.max('missing')).toBeUndefined();
    expect(text.sum('latency_seconds_count')).toBe(5);
    expect(text.buckets('latency_seconds')).toEqual([
      { le: 1, count: 1 },
      { le: 2, count: 3 },
      { le: 4, count: 4 },
      { le: Number.POSITIVE_INFINITY, count: 5 },
    ]);
  });

  it('accepts NaN, infinities and timestamps, and refuses garbage with the line number', () => {
    const text = parsePrometheusText('# TYPE x gauge\nx{a="1"} NaN\nx{a="2"} +Inf 1700000000000\ny -Inf\n');
    expect(text.series('x', { a: '1' })[0]!.value).toBeNaN();
    expect(text.sum('x', { a: '2' })).toBe(Number.POSITIVE_INFINITY);
    expect(text.sum('y')).toBe(Number.NEGATIVE_INFINITY);
    expect(() => parsePrometheusText('ok 1\nbroken{a="1" 2\n')).toThrow(/line 2/);
    expect(() => parsePrometheusText('x one\n')).toThrow(/not a sample value/);
  });

  it('interpolates quantiles inside a bucket like histogram_quantile', () => {
    const buckets = [
      { le: 1, count: 10 },
      { le: 2, count: 20 },
      { le: Number.POSITIVE_INFINITY, count: 20 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBe(1);
    expect(histogramQuantile(0.75, buckets)).toBe(1.5);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(1.9, 9);
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Number.POSITIVE_INFINITY, count: 10 },
      ]),
    ).toBe(1);
    expect(histogramQuantile(0.5, [{ le: Number.POSITIVE_INFINITY, count: 0 }])).toBeUndefined();
  });

  it('reads NaN and infinities in any case, as Prometheus does (prom-client writes "Nan")', () => {
    const text = parsePrometheusText('lag_mean{service="a"} Nan\nlag_mean{service="b"} NaN\nupper +Inf\nlower -inf\nplain 2.5e-3\n');
    const values = text.samples.map((s) => s.value);
    expect(values.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(values.slice(2)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.0025]);
    expect(() => parsePrometheusText('x nope\n')).toThrow(/not a sample value/);
  });
});
