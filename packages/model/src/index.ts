export { InputSpec, ModelMetadata, ModelMetrics, ModelMetadataError, parseModelMetadata, readMetadataProps } from './metadata.js';
export { INPUT_NAME, OUTPUT_NAMES, loadModel, sessionOptions, type LoadedModel, type LoadModelOptions } from './model.js';
export {
  UnsupportedImageError,
  centerSquareTriangle,
  decodeGrayscale,
  normalizePixels,
  preprocess,
  preprocessToPixels,
  renormalize,
  sameGeometry,
  triangleWeights,
  type GrayImage,
} from './preprocess.js';
export { PreprocessError, PreprocessPool, PreprocessThreadError } from './preprocess-pool.js';
export { labelAt, predict, type PredictOptions, type PredictedLabel, type Prediction } from './predict.js';
export { medmnistSplit, parseNpy, readNpz, type ImageSplit, type NpyArray } from './npz.js';
export { ECE_BINS, confusionAt, expectedCalibrationError, pointMetrics, rocAuc, type Confusion, type PointMetrics } from './metrics.js';
export { differencesFromCard, evaluate, evaluateNpz, type Evaluation } from './evaluate.js';
export {
  ACTIVE_KEY,
  ActiveModelRecord,
  ModelRegistryError,
  activeModel,
  activeModelRecord,
  fetchModel,
  publishModel,
  watchActiveModel,
  type PublishOptions,
} from './registry.js';
export { COMMITTED_MODELS_DIR, committedModel, ensureActiveModel, type CommittedModel, type EnsureActiveOptions } from './committed.js';
export { DEFAULT_NPZ, loadModelEnv, modelEnvSchema, type ModelEnv } from './env.js';
