import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateNpz, type Evaluation } from '../src/evaluate.js';
import { loadModel, type LoadedModel } from '../src/model.js';
import { modelFiles, NPZ, python } from './helpers.js';

interface TorchOutputs {
  labels: number[];
  logits: number[];
  risks: number[];
}

describe('PyTorch vs onnxruntime-node on the whole test split', () => {
  let model: LoadedModel;
  let onnx: Evaluation;
  let torch: TorchOutputs;

  beforeAll(async () => {
    const files = await modelFiles();
    model = await loadModel(files.path);
    // The reference side really runs: the committed checkpoint through PyTorch, now.
    [torch, onnx] = await Promise.all([
      python<TorchOutputs>(['predict', '--checkpoint', files.checkpoint, '--split', 'test']),
      evaluateNpz(model, NPZ, 'test'),
    ]);
  }, 180_000);
  afterAll(() => model?.release());

  it('agrees within 1e-4 on every one of the 624 risks, with identical labels', () => {
    expect(onnx.predictions).toHaveLength(624);
    expect(torch.risks).toHaveLength(624);
    let maxRisk = 0;
    let maxLogit = 0;
    onnx.predictions.forEach((p, i) => {
      maxRisk = Math.max(maxRisk, Math.abs(p.risk - torch.risks[i]!));
      maxLogit = Math.max(maxLogit, Math.abs(p.logit - torch.logits[i]!));
    });
    console.info(`parity: max |risk diff| ${maxRisk.toExponential(2)}, max |logit diff| ${maxLogit.toExponential(2)} over 624 test images`);
    expect(maxRisk).toBeLessThanOrEqual(1e-4);
    expect(maxLogit).toBeLessThanOrEqual(1e-4);
    const torchLabels = torch.risks.map((r) => (r >= model.metadata.threshold ? 'pneumonia' : 'normal'));
    expect(onnx.predictions.map((p) => p.label)).toEqual(torchLabels);
  });

  it('actually discriminates (the comparison is not between two constant outputs)', () => {
    const risks = onnx.predictions.map((p) => p.risk);
    expect(Math.max(...risks) - Math.min(...risks)).toBeGreaterThan(0.5);
  });

  it('gives the same risks whatever the batch size (dynamic batch axis)', async () => {
    const { predict } = await import('../src/predict.js');
    const { medmnistSplit, readNpz } = await import('../src/npz.js');
    const { normalizePixels } = await import('../src/preprocess.js');
    const split = medmnistSplit(await readNpz(NPZ), 'test');
    const inputs = split.images.slice(0, 10).map((p) => normalizePixels(p, model.metadata.inputSpec));
    const one = await predict(model, inputs, { batchSize: 1 });
    const seven = await predict(model, inputs, { batchSize: 7 });
    one.forEach((p, i) => expect(Math.abs(p.risk - seven[i]!.risk)).toBeLessThanOrEqual(1e-6));
  });
});
