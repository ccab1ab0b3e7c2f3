import http from 'node:http';
import type { Express, Request, Response } from 'express';
import type { Logger } from '@triage/logger';
import { injectHttpHeaders } from '@triage/telemetry';
import type { HospitalRegistry } from '../hospitals/hospital-registry.js';

/** Hop-by-hop headers are not forwarded (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

/** The base URL of a service from its GraphQL endpoint URL. */
export function serviceBase(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  url.pathname = url.pathname.replace(/\/graphql\/?$/, '');
  return url.toString().replace(/\/$/, '');
}

function copyHeaders(from: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(from)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/** Streams one request to `target` and its answer back; never buffers the body. */
function streamTo(target: URL, req: Request, res: Response, unavailable: string, log: Logger): void {
  // The caller's traceparent is replaced by this request's span, so the hospital continues the trace.
  const headers = injectHttpHeaders(copyHeaders(req.headers) as Record<string, string | string[] | number | undefined>);
  const upstream = http.request(target, { method: req.method, headers }, (answer) => {
    log.debug({ route: req.route?.path, status: answer.statusCode }, 'forwarded');
    res.writeHead(answer.statusCode ?? 502, copyHeaders(answer.headers));
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    log.warn({ target: target.pathname, err: error.message }, 'forward failed');
    if (!res.headersSent) res.status(502).json({ error: 'BAD_GATEWAY', message: unavailable });
    else res.destroy();
  });
  req.on('aborted', () => upstream.destroy());
  req.pipe(upstream);
}

/**
 * Bytes never pass through GraphQL: image uploads (to the signed URL a hospital issued, on the
 * gateway's origin), STOW-RS pushes and image reads go to the hospital instance they name;
 * dataset downloads and model uploads go to the research service. Subgraphs are never exposed
 * to clients, and each checks the signature or bearer token itself.
 */
export function mountHttpProxies(app: Express, registry: HospitalRegistry, researchGraphqlUrl: string, log: Logger): void {
  const toHospital = (targetPath: (req: Request) => string) => (req: Request, res: Response) => {
    const hospitalId = String(req.params.hospitalId);
    const route = registry.get(hospitalId);
    if (!route) {
      res.status(404).json({ error: 'NOT_FOUND', message: `Unknown hospital "${hospitalId}"` });
      return;
    }
    streamTo(new URL(`${serviceBase(route.subgraphUrl)}${targetPath(req)}`), req, res, `Hospital "${route.name}" is unavailable`, log);
  };
  const toResearch = (req: Request, res: Response) =>
    streamTo(new URL(`${serviceBase(researchGraphqlUrl)}${req.originalUrl}`), req, res, 'The research service is unavailable', log);

  app.put('/uploads/:hospitalId/:token', toHospital((req) => `/uploads/${encodeURIComponent(String(req.params.token))}`));
  app.post('/hospitals/:hospitalId/dicom-web/studies', toHospital(() => '/dicom-web/studies'));
  app.get(
    '/hospitals/:hospitalId/studies/:studyId/image',
    toHospital((req) => `/studies/${encodeURIComponent(String(req.params.studyId))}/image`),
  );
  app.get('/datasets/:id/:format', toResearch);
  app.post('/models', toResearch);
}
