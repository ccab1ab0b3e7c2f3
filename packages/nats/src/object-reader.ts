import { createHash } from 'node:crypto';
import { jetstreamManager, type DirectStreamAPI } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { openObjectStore } from './index.js';

/** What an Object Store keeps about an object (ADR-20 meta message), as far as reading needs it. */
interface ObjectMeta {
  nuid: string;
  size: number;
  chunks: number;
  digest?: string;
  deleted?: boolean;
  options?: { link?: unknown };
}

export class ObjectIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectIntegrityError';
  }
}

/**
 * Reads whole objects from NATS Object Store buckets with JetStream direct gets: one request for the
 * object's meta message and one per chunk. The library's `get()` creates and tears down an ordered push
 * consumer for every object, which costs the server and the client several milliseconds of CPU per
 * X-ray; the hot path of the inference worker reads one object per study. Same checks as the library:
 * size, chunk count and the SHA-256 digest. Links fall back to the library.
 */
export class ObjectReader {
  private direct?: Promise<DirectStreamAPI>;

  constructor(private readonly nc: NatsConnection) {}

  /** The object's bytes, or null when the bucket has no such object (missing or deleted). */
  async read(bucket: string, name: string): Promise<Uint8Array | null> {
    const direct = await (this.direct ??= jetstreamManager(this.nc).then((jsm) => jsm.direct));
    const stream = `OBJ_${bucket}`;
    const metaSubject = `$O.${bucket}.M.${Buffer.from(name).toString('base64url')}${'='.repeat(paddingFor(name))}`;
    const metaMsg = await direct.getMessage(stream, { last_by_subj: metaSubject });
    if (!metaMsg) return null;
    const meta = metaMsg.json<ObjectMeta>();
    if (meta.deleted) return null;
    if (meta.options?.link) return (await openObjectStore(this.nc, bucket)).getBlob(name);
    const out = new Uint8Array(meta.size);
    const hash = createHash('sha256');
    const chunkSubject = `$O.${bucket}.C.${meta.nuid}`;
    let offset = 0;
    let seq = 0;
    for (let i = 0; i < meta.chunks; i++) {
      const chunk = await direct.getMessage(stream, { seq: seq + 1, next_by_subj: chunkSubject });
      if (!chunk) throw new ObjectIntegrityError(`object ${name} in ${bucket}: chunk ${i + 1} of ${meta.chunks} is missing`);
      if (offset + chunk.data.length > out.length) throw new ObjectIntegrityError(`object ${name} in ${bucket} is larger than its recorded size ${meta.size}`);
      out.set(chunk.data, offset);
      hash.update(chunk.data);
      offset += chunk.data.length;
      seq = chunk.seq;
    }
    if (offset !== meta.size) throw new ObjectIntegrityError(`object ${name} in ${bucket}: read ${offset} bytes of ${meta.size}`);
    if (meta.digest?.startsWith('SHA-256=')) {
      // The library writes base64url with padding; Node's base64 decoder accepts either alphabet.
      const expected = Buffer.from(meta.digest.slice('SHA-256='.length), 'base64');
      if (!hash.digest().equals(expected)) throw new ObjectIntegrityError(`object ${name} in ${bucket}: SHA-256 digest does not match`);
    }
    return out;
  }
}

/** `=` padding of base64 for a string of this many bytes (the meta subject uses padded base64url). */
function paddingFor(name: string): number {
  const remainder = Buffer.byteLength(name) % 3;
  return remainder === 0 ? 0 : 3 - remainder;
}
