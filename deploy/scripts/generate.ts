/**
 * Writes the generated deploy assets: the Grafana dashboards (from grafana/src/dashboards.ts) and
 * the Prometheus Operator PrometheusRule (from prometheus/rules/*.yml) for Kubernetes/OpenShift.
 * Run `npm run generate -w @triage/deploy`; a test fails when the committed files are stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY_DIR, generatedFiles } from './generated.js';

for (const [file, content] of Object.entries(generatedFiles())) {
  writeFileSync(path.join(DEPLOY_DIR, file), content);
  console.log(`wrote ${file}`);
}
