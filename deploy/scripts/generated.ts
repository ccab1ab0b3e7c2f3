import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildDashboard } from '../grafana/src/builder.js';
import { dashboards } from '../grafana/src/dashboards.js';

export const DEPLOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RULES_DIR = path.join(DEPLOY_DIR, 'prometheus/rules');
export const PROMETHEUS_RULE_FILE = 'k8s/components/monitoring/prometheus-rule.yaml';

/** Every generated file, relative to deploy/, with the content it must have. */
export function generatedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, spec] of Object.entries(dashboards)) {
    files[`grafana/dashboards/${name}.json`] = `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
  }
  files[PROMETHEUS_RULE_FILE] = prometheusRule();
  return files;
}

/** The rule files as one PrometheusRule (monitoring.coreos.com/v1), for OpenShift user workload monitoring. */
function prometheusRule(): string {
  const groups = readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((f) => (YAML.parse(readFileSync(path.join(RULES_DIR, f), 'utf8')) as { groups: unknown[] }).groups);
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'pneumonia-triage', namespace: 'triage', labels: { 'app.kubernetes.io/part-of': 'pneumonia-triage' } },
    spec: { groups },
  };
  return `# Generated from deploy/prometheus/rules/*.yml by \`npm run generate -w @triage/deploy\`; do not edit.\n${YAML.stringify(rule, { lineWidth: 0 })}`;
}
