import type { Express } from 'express';

export interface TappedResponse {
  method: string;
  /** Route path without the query string. */
  path: string;
  status: number;
  body: Buffer;
}

/** Sees every response body the service sends (tests: the suite-wide PHI scan). */
export type ResponseTap = (response: TappedResponse) => void;

const toBuffer = (chunk: unknown, encoding?: unknown): Buffer =>
  Buffer.isBuffer(chunk)
    ? chunk
    : chunk instanceof Uint8Array
      ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');

/**
 * Copies each response body, as written to the socket (GraphQL answers and streamed downloads
 * alike), to `tap` once the response finished. Mounted before the routes it observes; only when
 * a tap is given (it buffers whole bodies).
 */
export function mountResponseTap(app: Express, tap: ResponseTap): void {
  app.use((req, res, next) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk != null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, rest[0]));
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk != null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, rest[0]));
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.on('finish', () => tap({ method: req.method, path: req.path, status: res.statusCode, body: Buffer.concat(chunks) }));
    next();
  });
}
