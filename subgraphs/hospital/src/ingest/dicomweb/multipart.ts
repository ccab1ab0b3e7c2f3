/**
 * A streaming multipart/related (RFC 2387 / RFC 2046) parser for STOW-RS. Bytes are pushed as
 * they arrive and complete parts come out, so a request with many instances never sits in
 * memory at once; a part larger than `maxPartBytes` is skipped (reported `tooLarge`) instead of
 * buffered.
 */

export interface MultipartPart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Null when the part was larger than the limit. */
  body: Buffer | null;
  size: number;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MultipartLimits {
  maxPartBytes: number;
  /** Headers of one part (and a line after a boundary) may not exceed this. */
  maxHeaderBytes?: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';

export class MultipartParser {
  private readonly delimiter: Buffer;
  private readonly maxHeaderBytes: number;
  // The body starts with "--boundary" without the CRLF that precedes every later delimiter.
  private pending: Buffer = Buffer.from(CRLF);
  private state: State = 'preamble';
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    boundary: string,
    private readonly limits: MultipartLimits,
  ) {
    if (!boundary || boundary.length > 70) throw new MultipartError('the multipart boundary must be 1 to 70 characters');
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  /** Feeds bytes; returns the parts they completed. Throws MultipartError on malformed input. */
  push(chunk: Buffer): MultipartPart[] {
    if (this.state === 'done') return []; // the epilogue is ignored
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const parts: MultipartPart[] = [];
    for (;;) {
      switch (this.state) {
        case 'preamble': {
          const at = this.pending.indexOf(this.delimiter);
          if (at < 0) {
            if (this.pending.length > this.maxHeaderBytes + this.delimiter.length) {
              throw new MultipartError('no multipart boundary found at the start of the body');
            }
            return parts;
          }
          this.pending = this.pending.subarray(at + this.delimiter.length);
          this.state = 'afterDelimiter';
          break;
        }
        case 'afterDelimiter': {
          if (this.pending.length < 2) return parts;
          if (this.pending[0] === 0x2d && this.pending[1] === 0x2d) {
            this.state = 'done';
            this.pending = Buffer.alloc(0);
            return parts;
          }
          const eol = this.pending.indexOf(CRLF);
          if (eol < 0) {
            if (this.pending.length > 256) throw new MultipartError('malformed multipart boundary line');
            return parts;
          }
          // Transport padding (spaces, tabs) may follow a boundary.
          if (!/^[ \t]*$/.test(this.pending.subarray(0, eol).toString('latin1'))) throw new MultipartError('malformed multipart boundary line');
          this.pending = this.pending.subarray(eol + 2);
          this.state = 'headers';
          break;
        }
        case 'headers': {
          let headerBlock: string;
          if (this.pending.length >= 2 && this.pending[0] === 0x0d && this.pending[1] === 0x0a) {
            headerBlock = '';
            this.pending = this.pending.subarray(2);
          } else {
            const end = this.pending.indexOf(HEADER_END);
            if (end < 0) {
              if (this.pending.length > this.maxHeaderBytes) throw new MultipartError('multipart part headers are too long');
              return parts;
            }
            headerBlock = this.pending.subarray(0, end).toString('latin1');
            this.pending = this.pending.subarray(end + HEADER_END.length);
          }
          this.headers = parseHeaders(headerBlock);
          this.chunks = [];
          this.size = 0;
          this.state = 'body';
          break;
        }
        case 'body': {
          const at = this.pending.indexOf(this.delimiter);
          if (at < 0) {
            // Keep just enough to recognise a delimiter split across chunks.
            const safe = this.pending.length - (this.delimiter.length - 1);
            if (safe > 0) {
              this.append(this.pending.subarray(0, safe));
              this.pending = this.pending.subarray(safe);
            }
            return parts;
          }
          this.append(this.pending.subarray(0, at));
          parts.push({
            headers: this.headers,
            body: this.size > this.limits.maxPartBytes ? null : Buffer.concat(this.chunks, this.size),
            size: this.size,
          });
          this.chunks = [];
          this.pending = this.pending.subarray(at + this.delimiter.length);
          this.state = 'afterDelimiter';
          break;
        }
        default:
          return parts;
      }
    }
  }

  /** Call at the end of the body: throws when the closing boundary never came. */
  end(): void {
    if (this.state !== 'done') throw new MultipartError('the multipart body ended before its closing boundary');
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.limits.maxPartBytes) {
      this.chunks = []; // over the limit: count the rest, keep nothing
      return;
    }
    this.chunks.push(bytes);
  }
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('malformed multipart part header');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export interface MediaType {
  /** Lower case, e.g. "multipart/related". */
  type: string;
  /** Parameter names in lower case; quoted values unquoted. */
  params: Record<string, string>;
}

/** Parses a Content-Type value such as `multipart/related; type="application/dicom"; boundary=x`. */
export function parseMediaType(value: string | undefined): MediaType | null {
  if (!value) return null;
  const match = /^\s*([^\s;/]+\/[^\s;]+)\s*(.*)$/.exec(value);
  if (!match) return null;
  const params: Record<string, string> = {};
  const paramPattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
  for (const param of match[2]!.matchAll(paramPattern)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
  }
  return { type: match[1]!.toLowerCase(), params };
}
