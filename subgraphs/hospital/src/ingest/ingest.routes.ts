import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, type TokenVerifier } from '@triage/auth';
import type { Logger } from '@triage/logger';
import dicomParser from 'dicom-parser';
import type { Express, Request, Response } from 'express';
import { authorizeHospitalAccess } from '../auth/hospital-policy.js';
import { failureReasonFor, storeResponse, storeStatus, type FailedInstance, type StoredInstance } from './dicomweb/store-response.js';
import { MultipartError, MultipartParser, parseMediaType, type MultipartPart } from './dicomweb/multipart.js';
import { ClientGone, readBody, sendJson, tooLarge } from './http-body.js';
import { IngestError, ingestError } from './ingest-error.js';
import type { IngestMetrics } from './ingest-metrics.js';
import type { IngestService } from './ingest.service.js';
import { prepareImage, type ImageLimits } from './prepare-image.js';

export interface IngestRouteDeps {
  hospital: { id: string };
  ingest: IngestService;
  verifier: TokenVerifier;
  limits: ImageLimits;
  metrics: IngestMetrics;
  log: Logger;
}

/**
 * The instance's image endpoints (the gateway forwards to them; they are never public):
 *   PUT  /uploads/:token        the bytes for an upload URL from createStudyUpload (the token is the credential)
 *   POST /dicom-web/studies     DICOMweb STOW-RS from a modality or PACS (bearer token of a technician / integration)
 */
export function mountIngestRoutes(app: Express, deps: IngestRouteDeps): void {
  app.put('/uploads/:token', (req, res) => uploadImage(deps, req, res));
  app.post('/dicom-web/studies', (req, res) => storeInstances(deps, req, res));
}

async function uploadImage(deps: IngestRouteDeps, req: Request, res: Response): Promise<void> {
  let kind = 'unknown';
  try {
    const grant = await deps.ingest.redeemToken(String(req.params.token));
    const body = await readBody(req, { maxBytes: deps.limits.maxUploadBytes, sniff: true, onBytes: (n) => deps.metrics.bytesRead.inc(n) });
    const image = await prepareImage(body, deps.limits);
    kind = image.kind;
    const outcome = await deps.ingest.storeUpload(grant, image);
    deps.metrics.images.inc({ route: 'upload', kind, outcome: outcome.created ? 'stored' : 'duplicate' });
    sendJson(req, res, outcome.created ? 201 : 200, outcome.stored);
  } catch (error) {
    const code = refuse(deps, req, res, error);
    if (code) deps.metrics.images.inc({ route: 'upload', kind, outcome: code });
  }
}

/** Answers an ingest error; returns its code, or undefined when the client is gone. */
function refuse(deps: IngestRouteDeps, req: IncomingMessage, res: ServerResponse, error: unknown): string | undefined {
  if (error instanceof ClientGone) {
    res.destroy();
    return undefined;
  }
  if (error instanceof IngestError) {
    deps.log.info({ status: error.status, code: error.code }, 'image upload refused');
    sendJson(req, res, error.status, error.toJSON());
    return error.code;
  }
  logUnexpected(deps.log, error);
  sendJson(req, res, 500, { error: 'INTERNAL', message: 'internal error while storing the image; nothing was stored' });
  return 'INTERNAL';
}

/** Database errors can quote column values (names, MRNs): log the kind and stack, not the text. */
function logUnexpected(log: Logger, error: unknown): void {
  const e = error as { name?: string; code?: string; stack?: string };
  log.error({ errorType: e?.name, errorCode: e?.code, stack: e?.stack?.split('\n').slice(1, 8).join('\n') }, 'unexpected ingest error');
}

async function storeInstances(deps: IngestRouteDeps, req: Request, res: Response): Promise<void> {
  // Authenticate and authorize before reading a byte of the body.
  try {
    const principal = await deps.verifier.fromHeader(req.headers.authorization);
    if (!principal) throw ingestError('UNAUTHENTICATED', 'STOW-RS requires a bearer token (Authorization: Bearer <token>)');
    authorizeHospitalAccess(principal, deps.hospital.id, deps.hospital.id, 'write');
  } catch (error) {
    if (error instanceof DomainError) {
      sendJson(req, res, error.httpStatus, { error: error.code, message: error.message }, error.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {});
      return;
    }
    refuse(deps, req, res, error);
    return;
  }

  const mediaType = parseMediaType(req.headers['content-type']);
  if (mediaType?.type !== 'multipart/related' || (mediaType.params.type && mediaType.params.type.toLowerCase() !== 'application/dicom')) {
    sendJson(req, res, 415, {
      error: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'STOW-RS here accepts Content-Type: multipart/related; type="application/dicom"; boundary=... (one DICOM Part 10 instance per part)',
    });
    return;
  }
  const boundary = mediaType.params.boundary;
  if (!boundary) {
    sendJson(req, res, 400, { error: 'BAD_REQUEST', message: 'the multipart/related Content-Type has no boundary parameter' });
    return;
  }

  const stored: StoredInstance[] = [];
  const failed: FailedInstance[] = [];
  try {
    const parser = new MultipartParser(boundary, { maxPartBytes: deps.limits.maxUploadBytes });
    // destroyOnReturn: false, so that an error thrown here still leaves a connection to answer on.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      deps.metrics.bytesRead.inc(chunk.length);
      for (const part of parser.push(chunk)) {
        const result = await storePart(deps, part);
        if ('failureReason' in result) failed.push(result);
        else stored.push(result);
      }
    }
    parser.end();
  } catch (error) {
    if (error instanceof MultipartError) {
      sendJson(req, res, 400, { error: 'BAD_REQUEST', message: `malformed multipart/related body: ${error.message}`, stored: stored.length });
      return;
    }
    if (!req.complete && !res.headersSent && (error as { code?: string }).code === 'ECONNRESET') {
      res.destroy();
      return;
    }
    refuse(deps, req, res, error);
    return;
  }
  if (stored.length + failed.length === 0) {
    sendJson(req, res, 400, { error: 'BAD_REQUEST', message: 'the multipart/related body holds no instances' });
    return;
  }
  const payload = Buffer.from(JSON.stringify(storeResponse(stored, failed)));
  res.writeHead(storeStatus(stored.length, failed.length), {
    'content-type': 'application/dicom+json',
    'content-length': String(payload.length),
  });
  res.end(payload);
}

async function storePart(deps: IngestRouteDeps, part: MultipartPart): Promise<StoredInstance | FailedInstance> {
  const ids = part.body ? metaHeaderIds(part.body) : {};
  let kind = 'unknown';
  try {
    if (!part.body) throw tooLarge(deps.limits.maxUploadBytes);
    const partType = parseMediaType(part.headers['content-type']);
    if (partType && partType.type !== 'application/dicom') {
      throw ingestError('UNSUPPORTED_MEDIA_TYPE', 'each part must be Content-Type: application/dicom');
    }
    const image = await prepareImage(part.body, deps.limits);
    kind = image.kind;
    if (image.kind !== 'dicom') throw ingestError('UNSUPPORTED_MEDIA_TYPE', 'STOW-RS parts must be DICOM Part 10 instances');
    const outcome = await deps.ingest.storeInstance(image);
    deps.metrics.images.inc({ route: 'stow', kind, outcome: outcome.created ? 'stored' : 'duplicate' });
    return { sopClassUid: image.header?.sopClassUid ?? ids.sopClassUid, sopInstanceUid: image.header?.sopInstanceUid ?? ids.sopInstanceUid };
  } catch (error) {
    if (error instanceof IngestError) {
      deps.log.info({ code: error.code }, 'STOW-RS instance refused');
      deps.metrics.images.inc({ route: 'stow', kind, outcome: error.code });
      return { ...ids, failureReason: failureReasonFor(error.code, error.message), comment: error.message };
    }
    logUnexpected(deps.log, error);
    deps.metrics.images.inc({ route: 'stow', kind, outcome: 'INTERNAL' });
    return { ...ids, failureReason: failureReasonFor('INTERNAL'), comment: 'internal error while storing the instance' };
  }
}

/** SOP Class / Instance UIDs from the File Meta Information, to name an instance that failed to parse. */
function metaHeaderIds(bytes: Buffer): StoredInstance {
  try {
    const meta = dicomParser.readPart10Header(bytes);
    const uid = (tag: string) => meta.string(tag)?.replace(/\0/g, '').trim() || undefined;
    return { sopClassUid: uid('x00020002'), sopInstanceUid: uid('x00020003') };
  } catch {
    return {};
  }
}
