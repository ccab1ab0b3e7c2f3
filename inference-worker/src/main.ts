import { createLogger } from '@triage/logger';
import { loadWorkerConfig } from './env.js';
import { onnxModelLoader } from './onnx-model.js';
import { createWorker } from './worker.js';

const config = loadWorkerConfig();
const log = createLogger({ service: 'inference-worker', level: config.logLevel });
const worker = createWorker(config, { log, loadModel: onnxModelLoader(config.intraOpThreads, config.preprocessThreads) });

await worker.start();
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining in-flight studies, then stopping');
    await worker.stop();
    process.exit(0);
  });
}
