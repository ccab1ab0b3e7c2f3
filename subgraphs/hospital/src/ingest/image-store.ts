import { openObjectStore, type NatsConnection, type ObjectStore } from '@triage/nats';

/** The hospital's NATS Object Store bucket of study images (natsTopology(ns).buckets.hospitalImages(slug)). */
export interface ImageStore {
  readonly bucket: string;
  put(key: string, bytes: Uint8Array, contentType: string, sha256: string): Promise<void>;
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
  };
}
