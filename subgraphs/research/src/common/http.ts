import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, type ErrorCode, type TokenVerifier } from '@triage/auth';
import type { Principal } from '@triage/auth';
import { requireResearcher } from '../authorization.js';

/** An expected refusal on the plain HTTP routes, answered as `{ error, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NOT_AN_ONNX_MODEL' | 'INVALID_MODEL' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Verifies the bearer token and the research role (same rule as every GraphQL field). */
export async function researcherFromRequest(verifier: TokenVerifier, req: IncomingMessage): Promise<Principal> {
  return requireResearcher(await verifier.fromHeader(req.headers.authorization));
}

/** Maps an error to its HTTP answer; anything unexpected is a 500 without details. */
export function errorAnswer(error: unknown): { status: number; body: { error: string; message: string } } | null {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.code, message: error.message } };
  if (error instanceof DomainError) return { status: error.httpStatus, body: { error: error.code, message: error.message } };
  return null;
}

/**
 * Sends a JSON answer. When the request body was not read to its end (a refusal while it still
 * arrives), the connection is closed after the answer instead of reading the rest.
 */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!req.complete) res.setHeader('connection', 'close');
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) });
  res.end(payload);
}

/** Reads a request body, refusing it with 413 as soon as it is known to exceed `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body is larger than the ${maxBytes} bytes this service accepts`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return finish(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    const onClose = () => {
      if (!req.complete) finish(new Error('the client closed the connection before the body was complete'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
