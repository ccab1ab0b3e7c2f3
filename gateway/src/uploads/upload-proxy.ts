import http from 'node:http';
import type { Express, Request, Response } from 'express';
import type { Logger } from '@triage/logger';
import type { HospitalRegistry } from '../hospitals/hospital-registry.js';

/** Hop-by-hop headers are not forwarded (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

function instanceBase(subgraphUrl: string): string {
  const url = new URL(subgraphUrl);
  url.pathname = url.pathname.replace(/\/graphql\/?$/, '');
  return url.toString().replace(/\/$/, '');
}

/**
 * Image bytes never pass through GraphQL: clients PUT them to the signed URL the hospital
 * subgraph issued, on the gateway's origin, and the gateway streams them to that hospital's
 * instance. Subgraphs are never exposed to clients; the instance checks the signature (or, for
 * STOW-RS, the bearer token) itself.
 */
export function mountUploadProxy(app: Express, registry: HospitalRegistry, log: Logger): void {
  const forward = (targetPath: (req: Request) => string) => (req: Request, res: Response) => {
    const hospitalId = String(req.params.hospitalId);
    const route = registry.get(hospitalId);
    if (!route) {
      res.status(404).json({ error: 'NOT_FOUND', message: `Unknown hospital "${hospitalId}"` });
      return;
    }
    const target = new URL(`${instanceBase(route.subgraphUrl)}${targetPath(req)}`);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    const upstream = http.request(target, { method: req.method, headers }, (answer) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      log.warn({ hospitalId, err: error.message }, 'upload forward failed');
      if (!res.headersSent) res.status(502).json({ error: 'BAD_GATEWAY', message: `Hospital "${route.name}" is unavailable` });
      else res.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };

  app.put('/uploads/:hospitalId/:token', forward((req) => `/uploads/${encodeURIComponent(String(req.params.token))}`));
  app.post('/hospitals/:hospitalId/dicom-web/studies', forward(() => '/dicom-web/studies'));
  // Study images for the viewer; the instance checks the bearer token and membership itself.
  app.get(
    '/hospitals/:hospitalId/studies/:studyId/image',
    forward((req) => `/studies/${encodeURIComponent(String(req.params.studyId))}/image`),
  );
}
