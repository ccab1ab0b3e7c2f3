import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differencesFromCard, evaluateNpz, type Evaluation } from '../src/evaluate.js';
import { loadModel, type LoadedModel } from '../src/model.js';
import { modelFiles, NPZ, PACKAGE_DIR } from './helpers.js';

interface Report {
  version: string;
  test: { metrics: { auc: number; accuracy: number; sensitivity: number; specificity: number; f1: number; ece: number; n: number; confusion: Record<string, number> }; threshold: number };
  model: { onnx_sha256: string };
}

describe('the TypeScript evaluation of the shipped model over the test split', () => {
  let model: LoadedModel;
  let result: Evaluation;
  let report: Report;
  let files: Awaited<ReturnType<typeof modelFiles>>;

  beforeAll(async () => {
    files = await modelFiles();
    model = await loadModel(files.path);
    report = JSON.parse(await readFile(files.report, 'utf8')) as Report;
    result = await evaluateNpz(model, NPZ, 'test');
  }, 120_000);
  afterAll(() => model?.release());

  it('is the model the card describes', () => {
    expect(model.metadata.version).toBe(report.version);
    expect(model.sha256).toBe(report.model.onnx_sha256);
    expect(model.sha256).toBe(files.sha256);
    expect(model.metadata.threshold).toBe(report.test.threshold);
  });

  it('reproduces the model card: AUC, accuracy, sensitivity, specificity, F1, ECE within 1e-6, identical confusion matrix', () => {
    const m = result.metrics;
    const card = report.test.metrics;
    for (const key of ['auc', 'accuracy', 'sensitivity', 'specificity', 'f1', 'ece'] as const) {
      expect(Math.abs(m[key] - card[key]), key).toBeLessThanOrEqual(1e-6);
    }
    expect(m.confusion).toEqual(card.confusion);
    expect(m.n).toBe(624);
    expect(differencesFromCard(m, model.metadata.metrics)).toEqual([]);
  });

  it('notices when the figures do not match', () => {
    const off = { ...model.metadata.metrics, auc: model.metadata.metrics.auc - 0.001, confusion: { ...model.metadata.metrics.confusion, tp: 0 } };
    const problems = differencesFromCard(result.metrics, off);
    expect(problems.some((p) => p.startsWith('auc'))).toBe(true);
    expect(problems.some((p) => p.startsWith('confusion'))).toBe(true);
  });

  it('the CLI (npm run model:evaluate) prints the same figures and confirms the card', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'evaluate', '--model', files.path, '--npz', NPZ, '--json'],
      { cwd: PACKAGE_DIR },
    );
    const printed = JSON.parse(stdout) as { matchesCard: boolean; metrics: { auc: number } };
    expect(printed.matchesCard).toBe(true);
    expect(printed.metrics.auc).toBe(result.metrics.auc);
  }, 60_000);
});
