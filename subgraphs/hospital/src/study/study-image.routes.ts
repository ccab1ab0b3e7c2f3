import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError, unauthenticated, type TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import type { Orm } from '@triage/service-common';
import type { Express, Request, Response } from 'express';
import { authorizeHospitalAccess } from '../auth/hospital-policy.js';
import { isUuid } from '../common/validation.js';
import { sendJson } from '../ingest/http-body.js';
import type { ImageStore } from '../ingest/image-store.js';
import { Study } from './study.entity.js';

export interface StudyImageRouteDeps {
  hospital: { id: string };
  orm: Orm;
  /** The hospital's image bucket. */
  store: ImageStore;
  verifier: TokenVerifier;
  log: Logger;
}

/**
 *   GET /studies/:studyId/image   the study's image (what the worker reads: the JPEG/PNG upload, or
 *                                 the PNG rendition of a DICOM upload), for clinical readers here.
 * The gateway forwards `GET /hospitals/<hospitalId>/studies/<studyId>/image` to it.
 */
export function mountStudyImageRoute(app: Express, deps: StudyImageRouteDeps): void {
  app.get('/studies/:studyId/image', (req, res) => serveStudyImage(deps, req, res));
}

async function serveStudyImage(deps: StudyImageRouteDeps, req: Request, res: Response): Promise<void> {
  try {
    const principal = await deps.verifier.fromHeader(req.headers.authorization);
    if (!principal) throw unauthenticated('the image requires a bearer token (Authorization: Bearer <token>)');
    authorizeHospitalAccess(principal, deps.hospital.id, deps.hospital.id, 'read');
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const headers: Record<string, string> = error.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {};
    sendJson(req, res, error.httpStatus, { error: error.code, message: error.message }, { ...headers, 'cache-control': 'no-store' });
    return;
  }

  const studyId = String(req.params.studyId);
  const study = isUuid(studyId) ? await deps.orm.em.fork().findOne(Study, { id: studyId.toLowerCase() }) : null;
  if (!study) {
    sendJson(req, res, 404, { error: 'NOT_FOUND', message: `study ${studyId} not found` }, { 'cache-control': 'no-store' });
    return;
  }
  if (!study.image) {
    sendJson(req, res, 404, { error: 'NOT_FOUND', message: 'the study has no image yet' }, { 'cache-control': 'no-store' });
    return;
  }

  let object;
  try {
    object = await deps.store.get(study.image.key);
  } catch (error) {
    deps.log.error({ err: error, studyId: study.id }, 'reading a study image from the object store failed');
    sendJson(req, res, 503, { error: 'UNAVAILABLE', message: 'the image store is unavailable; try again shortly' }, { 'cache-control': 'no-store' });
    return;
  }
  if (!object) {
    deps.log.error({ studyId: study.id }, 'the image of a study is missing from the object store');
    sendJson(req, res, 404, { error: 'NOT_FOUND', message: 'the image of this study is missing from the image store' }, { 'cache-control': 'no-store' });
    return;
  }

  res.writeHead(200, {
    'content-type': study.image.contentType,
    'content-length': String(object.size),
    // Patient images: never kept by a browser or proxy cache.
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    etag: `"${study.image.sha256}"`,
  });
  if (req.method === 'HEAD') {
    await object.data.cancel().catch(() => undefined);
    res.end();
    return;
  }
  try {
    await pipeline(Readable.fromWeb(object.data as import('node:stream/web').ReadableStream<Uint8Array>), res);
    const failure = await object.error;
    if (failure) throw failure;
  } catch (error) {
    // Headers are gone: cutting the connection is the only way left to tell the client.
    if (!res.writableFinished) res.destroy();
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      deps.log.warn({ err: error, studyId: study.id }, 'streaming a study image failed');
    }
  }
}
