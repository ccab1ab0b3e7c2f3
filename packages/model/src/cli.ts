import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { natsTopology } from '@triage/contracts';
import { connectNats } from '@triage/nats';
import { committedModel, ensureActiveModel } from './committed.js';
import { loadModelEnv, REPO_ROOT } from './env.js';
import { differencesFromCard, evaluateNpz } from './evaluate.js';
import { loadModel } from './model.js';
import { activeModelRecord, publishModel } from './registry.js';

const USAGE = `usage: triage-model <command>
  evaluate [--npz <file>] [--model <onnx>] [--split test|val|train] [--json]
      metrics of the model (default: the committed one) over a .npz split, through the worker's code,
      compared with the test metrics stored in the model's metadata (exit 1 when they differ)
  publish <onnx>          store the file in the NATS model registry and make it the active model
  ensure-active [--force] activate the committed model (research/models/active.json) if none is active
  active                  print the active model record
environment: NATS_URL (default nats://127.0.0.1:4222), NATS_NAMESPACE, TRIAGE_DATA_NPZ`;

/**
 * A path the user typed: relative to where they ran npm (INIT_CWD), else to the repo root (npm
 * and turbo run workspace scripts inside the workspace folder, which is rarely what was meant).
 */
function userPath(p: string): string {
  const candidates = [path.resolve(process.env.INIT_CWD ?? process.cwd(), p), path.resolve(process.cwd(), p), path.resolve(REPO_ROOT, p)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

const SHOWN = ['auc', 'accuracy', 'sensitivity', 'specificity', 'f1', 'ece'] as const;

async function withNats<T>(run: (nc: Awaited<ReturnType<typeof connectNats>>, ns: string) => Promise<T>): Promise<T> {
  const env = loadModelEnv();
  const nc = await connectNats({ url: env.NATS_URL, name: 'triage-model-cli', connectTimeoutMs: 5_000 });
  try {
    return await run(nc, env.NATS_NAMESPACE);
  } finally {
    await nc.drain();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'evaluate': {
      const { values } = parseArgs({
        args: rest,
        options: { npz: { type: 'string' }, model: { type: 'string' }, split: { type: 'string', default: 'test' }, json: { type: 'boolean' } },
      });
      const split = values.split as 'train' | 'val' | 'test';
      if (!['train', 'val', 'test'].includes(split)) throw new Error(`unknown split ${split}`);
      const modelPath = values.model ? userPath(values.model) : (await committedModel()).path;
      const npz = values.npz ? userPath(values.npz) : loadModelEnv().TRIAGE_DATA_NPZ;
      const model = await loadModel(modelPath);
      try {
        const started = performance.now();
        const result = await evaluateNpz(model, npz, split);
        const seconds = (performance.now() - started) / 1000;
        const card = split === 'test' ? differencesFromCard(result.metrics, model.metadata.metrics) : [];
        if (values.json) {
          console.log(JSON.stringify({ version: result.version, split, threshold: result.threshold, metrics: result.metrics, matchesCard: card.length === 0 }, null, 2));
        } else {
          const m = result.metrics;
          console.log(`${result.version} on ${split} (${m.n} images, ${seconds.toFixed(1)} s), threshold ${result.threshold.toFixed(4)}`);
          for (const k of SHOWN) console.log(`  ${k.padEnd(12)} ${m[k].toFixed(4)}`);
          console.log(`  confusion    TP ${m.confusion.tp}  FN ${m.confusion.fn}  FP ${m.confusion.fp}  TN ${m.confusion.tn}`);
          if (split === 'test') console.log(card.length === 0 ? '  matches the model card' : `  DIFFERS from the model card:\n    ${card.join('\n    ')}`);
        }
        return card.length === 0 ? 0 : 1;
      } finally {
        await model.release();
      }
    }
    case 'publish': {
      const file = rest[0];
      if (!file) throw new Error('publish needs the ONNX file: npm run model:publish -- <file>');
      const bytes = new Uint8Array(await readFile(userPath(file)));
      const record = await withNats((nc, ns) => publishModel(nc, natsTopology(ns), bytes));
      console.log(`published and activated ${record.version} (${record.object}, sha256 ${record.sha256})`);
      return 0;
    }
    case 'ensure-active': {
      const { values } = parseArgs({ args: rest, options: { force: { type: 'boolean' } } });
      const { record, published } = await withNats((nc, ns) => ensureActiveModel(nc, natsTopology(ns), { force: values.force }));
      console.log(published ? `activated the committed model ${record.version}` : `model ${record.version} is already active`);
      return 0;
    }
    case 'active': {
      const record = await withNats((nc, ns) => activeModelRecord(nc, natsTopology(ns)));
      console.log(record ? JSON.stringify(record, null, 2) : 'no active model');
      return record ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return command === undefined || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
