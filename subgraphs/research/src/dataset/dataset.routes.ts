import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import type { Orm } from '@triage/service-common';
import type { Express, Request, Response } from 'express';
import type { NatsResources } from '../common/nats-resources.js';
import { errorAnswer, HttpError, researcherFromRequest, sendJson } from '../common/http.js';
import { DATASET_FORMATS, type Dataset, type DatasetFormat } from './dataset.entity.js';
import type { DatasetService } from './dataset.service.js';

export interface DatasetRouteDeps {
  orm: Orm;
  datasets: DatasetService;
  nats: NatsResources;
  verifier: TokenVerifier;
  log: Logger;
}

const CONTENT_TYPES: Record<DatasetFormat, string> = { npz: 'application/octet-stream', zip: 'application/zip' };
const FILE_NAMES: Record<DatasetFormat, (d: Dataset) => string> = {
  npz: (d) => `pneumoniamnist-dataset-v${d.version}.npz`,
  zip: (d) => `pneumonia-dataset-v${d.version}-png.zip`,
};

/** GET /datasets/:id/:format (npz | zip): streams a frozen dataset's export to a researcher. */
export function mountDatasetRoutes(app: Express, deps: DatasetRouteDeps): void {
  app.get('/datasets/:id/:format', (req, res) => downloadDataset(deps, req, res));
}

async function downloadDataset(deps: DatasetRouteDeps, req: Request, res: Response): Promise<void> {
  try {
    await researcherFromRequest(deps.verifier, req);
    const format = String(req.params.format) as DatasetFormat;
    if (!DATASET_FORMATS.includes(format)) throw new HttpError(404, 'NOT_FOUND', `unknown format; use one of ${DATASET_FORMATS.join(', ')}`);
    const dataset = await deps.datasets.findById(deps.orm.em.fork(), String(req.params.id));
    if (!dataset) throw new HttpError(404, 'NOT_FOUND', 'no such dataset');
    const key = format === 'npz' ? dataset.npzObject : dataset.zipObject;
    const sha256 = format === 'npz' ? dataset.npzSha256 : dataset.zipSha256;
    const object = await (await deps.nats.researchStore()).get(key);
    if (!object) throw new HttpError(404, 'NOT_FOUND', 'the export of this dataset is missing from the research bucket');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[format],
      'content-length': String(object.info.size),
      'content-disposition': `attachment; filename="${FILE_NAMES[format](dataset)}"`,
      etag: `"${sha256}"`,
      'x-content-sha256': sha256,
      'cache-control': 'private, no-store',
    });
    await pipeline(Readable.fromWeb(object.data as import('node:stream/web').ReadableStream<Uint8Array>), res);
    const failure = await object.error;
    if (failure) deps.log.error({ err: failure, datasetId: dataset.id, format }, 'dataset download ended with an Object Store error');
  } catch (error) {
    const answer = errorAnswer(error);
    if (answer) return sendJson(req, res, answer.status, answer.body);
    deps.log.error({ err: error }, 'dataset download failed');
    if (res.headersSent) res.destroy();
    else sendJson(req, res, 500, { error: 'INTERNAL', message: 'Internal server error' });
  }
}
