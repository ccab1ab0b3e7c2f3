import type { TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import type { Express, Request, Response } from 'express';
import { errorAnswer, readBody, researcherFromRequest, sendJson } from '../common/http.js';
import type { ModelRegistryService } from './model-registry.service.js';
import type { ModelVersion } from './model-version.entity.js';

export interface ModelRouteDeps {
  registry: ModelRegistryService;
  verifier: TokenVerifier;
  maxBytes: number;
  log: Logger;
}

/**
 * POST /models: the body is an ONNX file (any content type). Validated by loading it with
 * onnxruntime-node; stored in the registry as AVAILABLE, never activated. 201 when new, 200 when
 * the same bytes were already published, 400 when it is not a valid model, 409 when its version
 * is taken by other bytes, 413 when larger than MAX_MODEL_BYTES.
 */
export function mountModelRoutes(app: Express, deps: ModelRouteDeps): void {
  app.post('/models', (req, res) => publishModel(deps, req, res));
}

export const modelSummary = (model: ModelVersion) => ({
  version: model.version,
  status: model.status,
  sha256: model.sha256,
  objectKey: model.objectKey,
  sizeBytes: model.sizeBytes,
  threshold: model.threshold,
  metrics: model.metrics,
  inputSpec: model.inputSpec,
  publishedAt: model.publishedAt.toISOString(),
  publishedBy: model.publishedBy,
});

async function publishModel(deps: ModelRouteDeps, req: Request, res: Response): Promise<void> {
  try {
    // Authorized before the body is read: nobody else gets to make us buffer 50 MB.
    const principal = await researcherFromRequest(deps.verifier, req);
    const body = await readBody(req, deps.maxBytes);
    const { model, created } = await deps.registry.publish(new Uint8Array(body.buffer, body.byteOffset, body.length), principal.subject);
    sendJson(req, res, created ? 201 : 200, modelSummary(model));
  } catch (error) {
    const answer = errorAnswer(error);
    if (answer) {
      deps.log.info({ status: answer.status, code: answer.body.error }, 'model upload refused');
      return sendJson(req, res, answer.status, answer.body);
    }
    deps.log.error({ err: error }, 'model upload failed');
    sendJson(req, res, 500, { error: 'INTERNAL', message: 'Internal server error' });
  }
}
