import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { generatedFiles } from '../scripts/generated.js';
import { catalog, DEPLOY_DIR, knownMetric, metricNames, missingBinaryNote, readYaml, recordedNames, run, which, withGrafanaVariables } from './support.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: unknown }[] };
}

const dashboardDir = path.join(DEPLOY_DIR, 'grafana/dashboards');
const dashboardFiles = readdirSync(dashboardDir).filter((f) => f.endsWith('.json'));
const dashboards = dashboardFiles.map((f) => ({ file: f, json: JSON.parse(readFileSync(path.join(dashboardDir, f), 'utf8')) as Dashboard }));
const queries = dashboards.flatMap(({ file, json }) =>
  json.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${file} "${p.title}" ${t.refId}`, expr: t.expr }))),
);
const scratch = mkdtempSync(path.join(tmpdir(), 'triage-grafana-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Grafana dashboards', () => {
  it('cover the views operations asked for', () => {
    const titles = dashboards.flatMap(({ json }) => json.panels.map((p) => `${json.title} / ${p.title}`)).join('\n');
    for (const view of [
      /Pipeline flow \/ Flow by stage/,
      /Upload to worklist \(percentiles\)/,
      /Inference worker \/ Studies scored per replica/,
      /Batch size/,
      /Consumer lag/,
      /Dead-letter queue depth/,
      /Risk distribution/,
      /Predictions by model version/,
      /Doctor agreement per model version/,
      /Top operations/,
      /Operations ending in errors/,
      /Fan-out/,
      /Resident memory/,
    ]) {
      expect(titles).toMatch(view);
    }
  });

  it('are valid dashboard JSON with unique uids, ids and non-overlapping panels in the 24-column grid', () => {
    expect(dashboards.length).toBeGreaterThanOrEqual(5);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
    for (const { file, json } of dashboards) {
      expect(json.uid, file).toMatch(/^[a-z0-9-]{1,40}$/);
      const ids = json.panels.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of json.panels) {
        const { x, y, w, h } = p.gridPos;
        expect(x + w, `${file} ${p.title}`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `${file} "${p.title}" overlaps another panel`).toBe(false);
            cells.add(`${i},${j}`);
          }
        if (p.type !== 'row') {
          expect(p.datasource, `${file} ${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
          expect(p.targets?.length, `${file} ${p.title} has no query`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('are exactly what grafana/src/dashboards.ts generates (run `npm run generate -w @triage/deploy`)', () => {
    for (const [file, content] of Object.entries(generatedFiles())) {
      expect(readFileSync(path.join(DEPLOY_DIR, file), 'utf8'), file).toBe(content);
    }
  });

  it('query only metrics from deploy/metrics-catalog.json or recorded by the rules', () => {
    const entries = catalog();
    const recorded = recordedNames();
    const unknown = queries.flatMap(({ where, expr }) => [...metricNames(expr)].filter((n) => !knownMetric(n, entries, recorded)).map((n) => `${where}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it('finds the metric names in PromQL (the check above can fail)', () => {
    expect([...metricNames('sum by (le) (rate(foo_bucket{job="x"}[5m])) / ignoring (le) group_left sum(bar_total offset 1h) > 1e3')].sort()).toEqual([
      'bar_total',
      'foo_bucket',
    ]);
    expect(knownMetric('not_a_metric_total', catalog(), recordedNames())).toBeUndefined();
    expect(knownMetric('inference_batch_size', catalog(), recordedNames())).toBeUndefined(); // a histogram is queried by its series
    expect(knownMetric('inference_batch_size_bucket', catalog(), recordedNames())).toBeDefined();
  });

  it.skipIf(!which('promtool'))(`parse as PromQL${which('promtool') ? '' : ` (${missingBinaryNote('promtool', 'prometheus')})`}`, () => {
    // promtool parses every expression of a rule file: one recording rule per panel query.
    const rules = { groups: [{ name: 'dashboards', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: withGrafanaVariables(q.expr) })) }] };
    const file = path.join(scratch, 'dashboard-queries.yml');
    writeFileSync(file, YAML.stringify(rules));
    const result = run('promtool', ['check', 'rules', file]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`${queries.length} rules found`);
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Prometheus datasource the dashboards default to, and the dashboards folder compose mounts', () => {
    const datasources = readYaml<{ datasources: { uid: string; type: string; url: string }[] }>('deploy/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' });
    const variable = dashboards[0]!.json.templating.list.find((v) => v.name === 'datasource') as unknown as { current: { value: string } };
    expect(variable.current.value).toBe('prometheus');
    const providers = readYaml<{ providers: { options: { path: string } }[] }>('deploy/grafana/provisioning/dashboards/triage.yml');
    const compose = readYaml<{ services: { grafana: { volumes: string[] } } }>('docker-compose.yml');
    expect(compose.services.grafana.volumes).toContain(`./deploy/grafana/dashboards:${providers.providers[0]!.options.path}:ro`);
  });
});

describe('dashboard renderings for docs/OPERATIONS.md', () => {
  it('draws every panel of every dashboard, captioned as synthetic', async () => {
    const { renderDashboardSvg } = await import('../scripts/render-dashboards.js');
    for (const { file, json } of dashboards) {
      const svg = renderDashboardSvg(json as never);
      for (const p of json.panels) expect(svg, `${file}: ${p.title}`).toContain(p.title.replace(/&/g, '&amp;').replace(/'/g, "'"));
      expect(svg).toContain('SYNTHETIC DATA');
    }
  });

  it('exist under docs/ops and are linked from docs/OPERATIONS.md', () => {
    const operations = readFileSync(path.join(DEPLOY_DIR, '../docs/OPERATIONS.md'), 'utf8');
    for (const { file } of dashboards) {
      const image = `ops/${file.replace(/\.json$/, '.png')}`;
      expect(readFileSync(path.join(DEPLOY_DIR, '../docs', image)).subarray(1, 4).toString(), image).toBe('PNG');
      expect(operations, image).toContain(`(${image})`);
    }
  });
});
