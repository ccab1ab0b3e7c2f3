/**
 * A small builder for provisioned Grafana dashboards (schemaVersion 39). The dashboards are code
 * so that layout, datasource and units stay consistent; `npm run dashboards -w @triage/deploy`
 * writes them to deploy/grafana/dashboards/*.json, which Grafana provisions, and a test checks
 * that the committed JSON is what this code produces.
 */

export type Unit = 'short' | 'reqps' | 'ops' | 's' | 'ms' | 'bytes' | 'percentunit' | 'none' | 'cps';

export interface Target {
  expr: string;
  legend?: string;
  /** Heatmaps read Prometheus buckets. */
  format?: 'time_series' | 'heatmap';
}

interface PanelBase {
  title: string;
  description?: string;
  /** Width in Grafana's 24-column grid. */
  w: number;
  h?: number;
}

export interface TimeseriesPanel extends PanelBase {
  kind: 'timeseries';
  targets: Target[];
  unit?: Unit;
  stack?: boolean;
  min?: number;
  max?: number;
  /** Horizontal threshold line (an SLO or alert threshold), in the panel's unit. */
  threshold?: number;
}

export interface StatPanel extends PanelBase {
  kind: 'stat';
  targets: Target[];
  unit?: Unit;
  /** Value from which the stat turns amber / red. */
  warnAt?: number;
  badAt?: number;
  /** Lower is worse (availability, agreement). */
  invert?: boolean;
}

export interface BarGaugePanel extends PanelBase {
  kind: 'bargauge';
  targets: Target[];
  unit?: Unit;
  min?: number;
  max?: number;
}

export interface HeatmapPanel extends PanelBase {
  kind: 'heatmap';
  targets: Target[];
  unit?: Unit;
}

export interface RowPanel {
  kind: 'row';
  title: string;
}

export type PanelSpec = TimeseriesPanel | StatPanel | BarGaugePanel | HeatmapPanel | RowPanel;

export interface VariableSpec {
  name: string;
  label: string;
  query: string;
  multi?: boolean;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables?: VariableSpec[];
  panels: PanelSpec[];
  links?: { title: string; url: string }[];
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const DEFAULT_HEIGHT = 8;

const palette = ['#3274D9', '#73BF69', '#F2CC0C', '#FF780A', '#B877D9', '#F2495C', '#5794F2', '#96D98D'];

function thresholds(warnAt?: number, badAt?: number, invert = false) {
  const steps: { color: string; value: number | null }[] = [];
  if (invert) {
    steps.push({ color: 'red', value: null });
    if (badAt !== undefined) steps.push({ color: 'orange', value: badAt });
    if (warnAt !== undefined) steps.push({ color: 'green', value: warnAt });
    if (badAt === undefined && warnAt === undefined) steps[0]!.color = 'green';
  } else {
    steps.push({ color: 'green', value: null });
    if (warnAt !== undefined) steps.push({ color: 'orange', value: warnAt });
    if (badAt !== undefined) steps.push({ color: 'red', value: badAt });
  }
  return { mode: 'absolute', steps };
}

function targets(list: Target[]) {
  return list.map((t, i) => ({
    datasource: DATASOURCE,
    refId: String.fromCharCode(65 + i),
    expr: t.expr,
    legendFormat: t.legend ?? '__auto',
    range: true,
    ...(t.format === 'heatmap' ? { format: 'heatmap' } : {}),
  }));
}

/** Places panels left to right in the 24-column grid, wrapping like Grafana does. */
export function buildDashboard(spec: DashboardSpec) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let id = 1;
  const panels: Record<string, unknown>[] = [];
  for (const panel of spec.panels) {
    if (panel.kind === 'row') {
      if (x > 0) y += rowHeight;
      x = 0;
      rowHeight = 0;
      panels.push({ id: id++, type: 'row', title: panel.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
      y += 1;
      continue;
    }
    const h = panel.h ?? DEFAULT_HEIGHT;
    if (x + panel.w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const gridPos = { h, w: panel.w, x, y };
    x += panel.w;
    rowHeight = Math.max(rowHeight, h);
    panels.push(renderPanel(panel, id++, gridPos));
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['pneumonia-triage', ...spec.tags],
    editable: false,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    liveNow: false,
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: (spec.links ?? []).map((l) => ({ title: l.title, url: l.url, type: 'link', icon: 'dashboard', targetBlank: false })),
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: { selected: true, text: 'Prometheus', value: 'prometheus' },
          hide: 0,
          refresh: 1,
          options: [],
        },
        ...(spec.variables ?? []).map((v) => ({
          name: v.name,
          label: v.label,
          type: 'query',
          datasource: DATASOURCE,
          query: { query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
          definition: v.query,
          refresh: 2,
          multi: v.multi ?? true,
          includeAll: true,
          allValue: '.*',
          current: { selected: true, text: ['All'], value: ['$__all'] },
          sort: 1,
          hide: 0,
          options: [],
        })),
      ],
    },
    panels,
  };
}

function renderPanel(panel: Exclude<PanelSpec, RowPanel>, id: number, gridPos: { h: number; w: number; x: number; y: number }) {
  const common = { id, type: panel.kind, title: panel.title, description: panel.description ?? '', datasource: DATASOURCE, gridPos };
  switch (panel.kind) {
    case 'timeseries':
      return {
        ...common,
        targets: targets(panel.targets),
        fieldConfig: {
          defaults: {
            unit: panel.unit ?? 'short',
            ...(panel.min !== undefined ? { min: panel.min } : {}),
            ...(panel.max !== undefined ? { max: panel.max } : {}),
            color: { mode: 'palette-classic' },
            custom: {
              drawStyle: 'line',
              lineWidth: 1,
              fillOpacity: panel.stack ? 30 : 10,
              showPoints: 'never',
              spanNulls: true,
              stacking: { mode: panel.stack ? 'normal' : 'none', group: 'A' },
              thresholdsStyle: { mode: panel.threshold !== undefined ? 'line+area' : 'off' },
            },
            thresholds:
              panel.threshold !== undefined
                ? { mode: 'absolute', steps: [{ color: 'transparent', value: null }, { color: 'red', value: panel.threshold }] }
                : thresholds(),
          },
          overrides: [],
        },
        options: {
          legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
          tooltip: { mode: 'multi', sort: 'desc' },
        },
      };
    case 'stat':
      return {
        ...common,
        targets: targets(panel.targets),
        fieldConfig: {
          defaults: { unit: panel.unit ?? 'short', color: { mode: 'thresholds' }, thresholds: thresholds(panel.warnAt, panel.badAt, panel.invert) },
          overrides: [],
        },
        options: {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          colorMode: 'background',
          graphMode: 'area',
          justifyMode: 'auto',
          orientation: 'auto',
          textMode: 'auto',
        },
      };
    case 'bargauge':
      return {
        ...common,
        targets: targets(panel.targets),
        fieldConfig: {
          defaults: {
            unit: panel.unit ?? 'short',
            ...(panel.min !== undefined ? { min: panel.min } : {}),
            ...(panel.max !== undefined ? { max: panel.max } : {}),
            color: { mode: 'continuous-BlYlRd' },
            thresholds: thresholds(),
          },
          overrides: [],
        },
        options: {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          orientation: 'horizontal',
          displayMode: 'gradient',
          showUnfilled: true,
        },
      };
    case 'heatmap':
      return {
        ...common,
        targets: targets(panel.targets),
        fieldConfig: { defaults: { unit: panel.unit ?? 'short' }, overrides: [] },
        options: {
          calculate: false,
          yAxis: { axisPlacement: 'left', unit: panel.unit ?? 'short' },
          color: { mode: 'scheme', scheme: 'Oranges', steps: 64 },
          cellGap: 1,
          legend: { show: true },
          tooltip: { show: true, yHistogram: true },
        },
      };
  }
}

export { palette };
