export { createWorker, type Worker, type WorkerDeps } from './worker.js';
export { parseWorkerConfig, loadWorkerConfig, type WorkerConfig } from './env.js';
export { onnxModelLoader } from './onnx-model.js';
