import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { catalog, DEPLOY_DIR, knownMetric, metricNames, missingBinaryNote, readText, recordedNames, ruleFiles, run, which } from './support.js';

const promtool = which('promtool');
const scratch = mkdtempSync(path.join(tmpdir(), 'triage-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!promtool)(`promtool${promtool ? '' : ` (${missingBinaryNote('promtool', 'prometheus')})`}`, () => {
  it('accepts the compose Prometheus configuration and every rule file it loads', () => {
    const result = run('promtool', ['check', 'config', 'prometheus/prometheus.yml']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    // The config globs rules/*.yml: all three files must be among those checked.
    for (const file of Object.keys(ruleFiles())) expect(result.stdout).toContain(`rules/${file}`);
  });

  it('accepts the alert and recording rules', () => {
    const files = Object.keys(ruleFiles()).map((f) => `prometheus/rules/${f}`);
    const result = run('promtool', ['check', 'rules', ...files]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('passes the rule unit tests (worker down, DLQ, stalled worker, per-hospital join, SLO burn)', () => {
    const result = run('promtool', ['test', 'rules', 'tests/alerts.test.yml'], { cwd: path.join(DEPLOY_DIR, 'prometheus') });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('fails a rule unit test whose expectation is wrong (the harness can fail)', () => {
    const broken = {
      rule_files: [path.join(DEPLOY_DIR, 'prometheus/rules/alerts-pipeline.yml')],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'jetstream_stream_total_messages{stream_name="DLQ"}', values: '0x10' }],
          alert_rule_test: [{ eval_time: '10m', alertname: 'DeadLetterQueueNotEmpty', exp_alerts: [{ exp_labels: { severity: 'warning', stream_name: 'DLQ' } }] }],
        },
      ],
    };
    const file = path.join(scratch, 'broken.test.yml');
    writeFileSync(file, YAML.stringify(broken));
    const result = run('promtool', ['test', 'rules', file]);
    expect(result.status).not.toBe(0);
  });
});

describe('alert rules', () => {
  const rules = Object.values(ruleFiles()).flatMap((f) => f.groups.flatMap((g) => g.rules));
  const alerts = rules.filter((r) => r.alert);

  it('cover the failure modes that matter', () => {
    const names = alerts.map((a) => a.alert);
    for (const required of [
      'InferenceWorkerDown',
      'ConsumerLagGrowing',
      'InferenceLagGrowing',
      'DeadLetterQueueNotEmpty',
      'GraphQLErrorRateHigh',
      'HttpServerErrorRateHigh',
      'EndToEndLatencySLOBurnFast',
      'GatewayLatencySLOBurnFast',
    ]) {
      expect(names).toContain(required);
    }
  });

  it('carry a severity and a runbook that exists in docs/OPERATIONS.md', () => {
    const operations = readText('docs/OPERATIONS.md');
    const anchors = new Set(
      [...operations.matchAll(/^#+\s+(.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const alert of alerts) {
      expect(['page', 'warning'], alert.alert).toContain(alert.labels?.severity);
      const runbook = alert.annotations?.runbook ?? '';
      expect(runbook, alert.alert).toMatch(/^docs\/OPERATIONS\.md#/);
      expect(anchors, `${alert.alert} -> ${runbook}`).toContain(runbook.split('#')[1]);
    }
  });

  it('select only metrics the services export, the catalog proposes, or a rule records', () => {
    const entries = catalog();
    const recorded = recordedNames();
    for (const rule of rules) {
      for (const name of metricNames(rule.expr)) {
        expect(knownMetric(name, entries, recorded), `${rule.alert ?? rule.record}: ${name}`).toBeDefined();
      }
    }
  });
});
