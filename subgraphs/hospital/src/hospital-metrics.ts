import type { Orm } from '@triage/service-common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { OutboxEvent } from './outbox/outbox-event.entity.js';

export interface HospitalMetrics {
  /** Stage 3 of the pipeline, by the doctor's finding (lower case, as on the event). */
  reviewsRecorded: Counter<'finding'>;
  /** Stage 4: de-identified copies announced to the research center. */
  deidentified: Counter;
  deidentificationFailures: Counter;
}

/**
 * The hospital instance's own pipeline metrics. Prometheus labels each instance with its slug;
 * `hospital_info` maps that to the hospital uuid that central services (triage) label with.
 */
export function createHospitalMetrics(
  registry: Registry,
  hospital: { id: string },
  orm: Orm,
): HospitalMetrics {
  new Gauge({
    name: 'hospital_info',
    help: 'Always 1; maps the instance to the hospital uuid central metrics are labelled with',
    labelNames: ['hospital_id'],
    registers: [registry],
  }).set({ hospital_id: hospital.id }, 1);
  new Gauge({
    name: 'hospital_outbox_pending_events',
    help: 'Outbox rows not yet published to JetStream',
    registers: [registry],
    async collect() {
      try {
        this.set(await orm.em.fork().count(OutboxEvent, { publishedAt: null }));
      } catch {
        // Database unreachable: the gauge keeps its last value and readiness reports the outage.
      }
    },
  });
  return {
    reviewsRecorded: new Counter({
      name: 'hospital_reviews_recorded_total',
      help: 'Doctor findings recorded (pneumonia|normal|uncertain)',
      labelNames: ['finding'],
      registers: [registry],
    }),
    deidentified: new Counter({
      name: 'hospital_deidentified_total',
      help: 'De-identified copies produced and announced on research.labeled.<hospitalId>',
      registers: [registry],
    }),
    deidentificationFailures: new Counter({
      name: 'hospital_deidentification_failures_total',
      help: 'De-identification attempts that failed (the copy is not sent)',
      registers: [registry],
    }),
  };
}
