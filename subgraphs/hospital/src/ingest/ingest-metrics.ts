import { Counter, type Registry } from 'prom-client';

export interface IngestMetrics {
  /** Request body bytes read by the ingest endpoints: shows that refused uploads stop being read. */
  bytesRead: Counter;
  /** Images offered, by how they arrived, their type and the outcome (stored, duplicate, or an error code). */
  images: Counter<'route' | 'kind' | 'outcome'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    bytesRead: new Counter({
      name: 'ingest_body_bytes_read_total',
      help: 'Request body bytes read by the upload and STOW-RS endpoints',
      registers: [registry],
    }),
    images: new Counter({
      name: 'ingest_images_total',
      help: 'Images offered for ingest by route, detected type and outcome',
      labelNames: ['route', 'kind', 'outcome'],
      registers: [registry],
    }),
  };
}
