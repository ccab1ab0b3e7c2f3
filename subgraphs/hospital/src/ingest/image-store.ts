import { openObjectStore, type NatsConnection, type ObjectStore } from '@triage/nats';

/** An object being read: its size and a stream of its bytes. */
export interface StoredObject {
  size: number;
  data: ReadableStream<Uint8Array>;
  /** Settles once `data` is consumed: null, or the error that cut the stream short (checksum, chunk loss). */
  error: Promise<Error | null>;
}

/** A NATS Object Store bucket of images (the hospital's own, or the research bucket). */
export interface ImageStore {
  readonly bucket: string;
  put(key: string, bytes: Uint8Array, contentType: string, sha256: string): Promise<void>;
  /** Streams an object; null when there is none. */
  get(key: string): Promise<StoredObject | null>;
  /** An object's bytes, checked against the store's digest; null when there is none. */
  getBytes(key: string): Promise<Uint8Array | null>;
}

export const studyObjectKeys = (studyId: string, extension: string) => ({
  original: `studies/${studyId}/original.${extension}`,
  rendition: `studies/${studyId}/rendition.png`,
});

export async function openImageStore(nc: NatsConnection, bucket: string): Promise<ImageStore> {
  const store: ObjectStore = await openObjectStore(nc, bucket);
  return {
    bucket,
    async put(key, bytes, contentType, sha256) {
      // Metadata carries only the type and checksum: object names and metadata never hold patient data.
      await store.putBlob({ name: key, metadata: { 'content-type': contentType, sha256 } }, bytes);
    },
    async get(key) {
      const result = await store.get(key);
      return result ? { size: result.info.size, data: result.data, error: result.error } : null;
    },
    getBytes(key) {
      return store.getBlob(key);
    },
  };
}
