import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatBytes, ingestError, IngestError } from './ingest-error.js';
import { canSniff, sniffImageKind, SNIFF_BYTES } from './sniff.js';
import { unsupportedType } from './prepare-image.js';

/** The client went away mid-body: nobody is left to answer. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection before the body was complete');
    this.name = 'ClientGone';
  }
}

export interface BodyOptions {
  maxBytes: number;
  /** Refuse as soon as the first bytes show an unsupported type, before reading the rest. */
  sniff?: boolean;
  onBytes?: (count: number) => void;
}

export function tooLarge(maxBytes: number): IngestError {
  return ingestError('PAYLOAD_TOO_LARGE', `the upload is larger than ${formatBytes(maxBytes)} (${maxBytes} bytes), the most this hospital accepts`);
}

/**
 * Reads a request body into memory, refusing it (IngestError) as soon as it is known to be too
 * large (declared Content-Length, or the bytes counted so far) or of an unsupported type. After a
 * refusal nothing more is read: answer with `answerEarly`.
 */
export function readBody(req: IncomingMessage, { maxBytes, sniff = false, onBytes }: BodyOptions): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let sniffed = !sniff;
    const finish = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (error) {
        req.pause();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      onBytes?.(chunk.length);
      if (size > maxBytes) return finish(tooLarge(maxBytes));
      chunks.push(chunk);
      if (!sniffed && (size >= SNIFF_BYTES || canSniff(chunks[0]!))) {
        sniffed = true;
        const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size).subarray(0, SNIFF_BYTES);
        if (!sniffImageKind(head)) finish(unsupportedType());
      }
    };
    const onEnd = () => finish();
    const onClose = () => finish(new ClientGone());
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

/** How long a refused client gets to read the answer before the connection is dropped. */
const LINGER_MS = 2_000;

/**
 * Sends a JSON answer. When the request body has not been read to its end (a refusal while it
 * is still arriving), the rest is NOT read: the connection is half-closed after the answer and
 * dropped after a short linger. Node would otherwise either read (and discard) the whole body,
 * or reset the connection at once, and a reset can overtake the answer so the client never sees
 * why it was refused.
 */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const unread = !req.complete;
  if (unread) {
    req.pause();
    const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
    socket.destroySoon = function lingeringClose(this: typeof socket) {
      this.end();
      setTimeout(() => this.destroy(), LINGER_MS).unref();
    };
    res.setHeader('connection', 'close');
  }
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length), ...headers });
  res.end(payload);
}
