import { loadModel, predict, preprocess } from '@triage/model';
import type { ModelLoader } from './scoring-model.js';

/** Loads an ONNX model whose metadata carries its version, threshold and input spec. */
export function onnxModelLoader(intraOpNumThreads: number): ModelLoader {
  return async (bytes) => {
    const loaded = await loadModel(bytes, { intraOpNumThreads });
    const spec = loaded.metadata.inputSpec;
    return {
      version: loaded.metadata.version,
      threshold: loaded.metadata.threshold,
      inputSpecKey: JSON.stringify(spec),
      preprocess: (image) => preprocess(image, spec),
      score: async (inputs) => (await predict(loaded, inputs)).map((p) => p.risk),
      release: () => loaded.release(),
    };
  };
}
