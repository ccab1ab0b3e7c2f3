import { loadModel, predict, preprocess, PreprocessPool } from '@triage/model';
import type { ModelLoader } from './scoring-model.js';

/**
 * Loads an ONNX model whose metadata carries its version, threshold and input spec.
 * With `preprocessThreads` > 0, images are preprocessed on that many worker threads (shared by every
 * model this loader loads); with 0, on the calling thread.
 */
export function onnxModelLoader(intraOpNumThreads: number, preprocessThreads = 0): ModelLoader {
  let pool: PreprocessPool | undefined;
  return async (bytes) => {
    const loaded = await loadModel(bytes, { intraOpNumThreads });
    const spec = loaded.metadata.inputSpec;
    if (preprocessThreads > 0) pool ??= new PreprocessPool(preprocessThreads);
    const threads = pool;
    return {
      version: loaded.metadata.version,
      threshold: loaded.metadata.threshold,
      inputSpec: spec,
      inputSpecKey: JSON.stringify(spec),
      preprocess: threads ? (image) => threads.run(image, spec, { transfer: true }) : (image) => preprocess(image, spec),
      score: async (inputs) => (await predict(loaded, inputs)).map((p) => p.risk),
      release: () => loaded.release(),
    };
  };
}
