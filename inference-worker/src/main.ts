import { runUntilSignalled } from '@triage/config';
import { createLogger } from '@triage/logger';
import { loadWorkerConfig } from './env.js';
import { onnxModelLoader } from './onnx-model.js';
import { createWorker } from './worker.js';

const config = loadWorkerConfig();
const log = createLogger({ service: 'inference-worker', level: config.logLevel });
// Stopping drains the studies in flight; the pod allows 60 s and has no preStop pause.
await runUntilSignalled(
  createWorker(config, { log, loadModel: onnxModelLoader(config.intraOpThreads, config.preprocessThreads) }),
  log,
  { graceMs: 50_000 },
);
