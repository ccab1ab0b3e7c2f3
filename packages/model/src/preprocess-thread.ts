/**
 * Worker-thread entry of PreprocessPool: decodes and reduces images off the main thread.
 * Messages in: { id, image, spec }; out: { id, input } (transferred) or { id, error, unsupported }.
 */
import { parentPort } from 'node:worker_threads';
import { UnsupportedImageError, preprocess } from './preprocess.js';
import type { InputSpec } from './metadata.js';

interface Task {
  id: number;
  image: Uint8Array;
  spec: InputSpec;
}

const port = parentPort;
if (!port) throw new Error('preprocess-thread must run in a worker thread');

port.on('message', (task: Task) => {
  preprocess(task.image, task.spec).then(
    (input) => port.postMessage({ id: task.id, input }, [input.buffer as ArrayBuffer]),
    (error: unknown) =>
      port.postMessage({
        id: task.id,
        error: (error as Error)?.message ?? String(error),
        unsupported: error instanceof UnsupportedImageError,
      }),
  );
});
