/** What other code (the image ingest, the stack runner, tests) may reuse from this subgraph. */
export { envSchema, loadConfig, parseConfig, type HospitalConfig } from './env.js';
export { createServer, type HospitalServer, type ServerDeps } from './server.js';
export { createHospitalOrm } from './database.js';
export { buildHospitalSchema } from './schema.js';
export { authorizeHospitalAccess, hospitalAccessGuard, type ClinicalAccess } from './auth/hospital-policy.js';
export { enqueueEvent, type OutgoingEvent } from './outbox/outbox.js';
export { createOutboxRelay, type OutboxRelay, type OutboxRelaySettings } from './outbox/outbox.relay.js';
export { OutboxEvent } from './outbox/outbox-event.entity.js';
export { studyCreatedEvent } from './study/study.service.js';
export { prepareImage, type PreparedImage, type ImageLimits } from './ingest/prepare-image.js';
export { readDicomFile, type DicomFile, type DicomHeader } from './ingest/dicom/dicom-file.js';
export { renderDicom, renditionPng } from './ingest/dicom/dicom-render.js';
export { studyObjectKeys } from './ingest/image-store.js';
export { IngestError, INGEST_ERRORS, type IngestErrorCode } from './ingest/ingest-error.js';
