import type { EntityManager } from '@mikro-orm/postgresql';
import type { NatsTopology } from '@triage/contracts';
import type { RequestContext } from '@triage/service-common';
import { createLoaders, type HospitalLoaders } from './loaders.js';
import type { OutboxRelay } from './outbox/outbox.relay.js';
import { PatientService } from './patient/patient.service.js';
import type { IngestConfig } from './env.js';
import type { Review } from './review/review.entity.js';
import { ReviewService } from './review/review.service.js';
import { StudyService } from './study/study.service.js';
import { StudyUploadService } from './upload/study-upload.service.js';

export interface HospitalContext extends RequestContext {
  /** The hospital this instance serves. */
  hospital: { id: string; slug: string };
  em: EntityManager;
  loaders: HospitalLoaders;
  patients: PatientService;
  studies: StudyService;
  uploads: StudyUploadService;
  reviews: ReviewService;
}

export interface ContextDeps {
  hospital: { id: string; slug: string };
  /** The root EntityManager; each request gets its own fork. */
  em: EntityManager;
  topology: NatsTopology;
  outbox: OutboxRelay;
  ingest: IngestConfig;
  /** Called after a review commits. */
  onReviewed?: (review: Review) => void;
}

export function createContextFactory(deps: ContextDeps) {
  return (base: RequestContext): HospitalContext => {
    const em = deps.em.fork();
    return {
      ...base,
      hospital: deps.hospital,
      em,
      loaders: createLoaders(em),
      patients: new PatientService(em, deps.hospital.id),
      studies: new StudyService({ em, hospitalId: deps.hospital.id, topology: deps.topology, outbox: deps.outbox }),
      uploads: new StudyUploadService({ em, hospital: deps.hospital, topology: deps.topology, outbox: deps.outbox, ingest: deps.ingest }),
      reviews: new ReviewService({ em, hospitalId: deps.hospital.id, topology: deps.topology, outbox: deps.outbox, onReviewed: deps.onReviewed }),
    };
  };
}
