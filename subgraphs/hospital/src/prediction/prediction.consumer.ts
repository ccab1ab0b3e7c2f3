import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { PredictionCreatedV1, type NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { Tracer } from '@triage/telemetry';
import {
  DurableConsumerRunner,
  ensureDurableConsumer,
  parsePayload,
  PoisonMessageError,
  serverSupportsTermReason,
  type DurableConsumerSpec,
  type NatsConnection,
} from '@triage/nats';
import type { Orm } from '@triage/service-common';
import { StudyPrediction } from './study-prediction.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One durable per hospital on the shared PREDICTIONS stream, filtered to its own subject; replicas share it. */
export function predictionConsumerSpec(topology: NatsTopology, hospitalId: string): DurableConsumerSpec {
  return {
    stream: topology.streams.predictions,
    durable: `hospital-predictions-${hospitalId}`,
    description: "hospital: the latest active prediction per study, kept for the study's research copy",
    filterSubject: topology.subjects.predictionCreated(hospitalId),
    maxAckPending: 64,
  };
}

export type PredictionOutcome = 'recorded' | 'shadow' | 'unknown-study' | 'older';

/**
 * Records an active prediction as the study's latest, idempotently: a replay or an earlier
 * prediction (by event time, then stream position) changes nothing, and shadow predictions are
 * never recorded (they were not what the doctor saw and the worker may drop them).
 */
export async function recordPrediction(orm: Orm, hospitalId: string, event: PredictionCreatedV1, streamSequence: number): Promise<PredictionOutcome> {
  if (event.hospitalId !== hospitalId) throw new PoisonMessageError('payload hospitalId is not this hospital');
  if (event.shadow) return 'shadow';
  if (!UUID.test(event.studyId)) return 'unknown-study';
  const em = orm.em.fork();
  const rows = await em.getConnection().execute<{ study_id: string }[]>(
    `insert into "study_prediction" ("study_id", "model_version", "risk", "label", "predicted_at", "stream_sequence")
       select s."id", ?, ?, ?, ?, ? from "study" s where s."id" = ?
     on conflict ("study_id") do update set
       "model_version" = excluded."model_version", "risk" = excluded."risk", "label" = excluded."label",
       "predicted_at" = excluded."predicted_at", "stream_sequence" = excluded."stream_sequence"
     where ("study_prediction"."predicted_at", "study_prediction"."stream_sequence") < (excluded."predicted_at", excluded."stream_sequence")
     returning "study_id"`,
    [event.modelVersion, event.risk, event.label, new Date(event.occurredAt), streamSequence, event.studyId],
  );
  if (rows.length) return 'recorded';
  return (await em.count(StudyPrediction, { studyId: event.studyId })) ? 'older' : 'unknown-study';
}

/** The study's latest active prediction, as ResearchLabeledV1 carries it; null when none arrived. */
export async function latestPrediction(
  orm: Orm,
  studyId: string,
): Promise<{ version: string; risk: number; label: 'pneumonia' | 'normal' } | null> {
  const row = await orm.em.fork().findOne(StudyPrediction, { studyId });
  return row ? { version: row.modelVersion, risk: row.risk, label: row.label } : null;
}

export interface PredictionConsumer {
  readonly counts: Record<PredictionOutcome, number>;
  drain(): Promise<void>;
}

/** Provisions and starts the hospital's durable prediction consumer (NATS 2.9: bare term). */
export async function startPredictionConsumer(settings: {
  nc: NatsConnection;
  orm: Orm;
  topology: NatsTopology;
  hospitalId: string;
  log: Logger;
  retryDelayMs?: number;
  tracer?: Tracer;
}): Promise<PredictionConsumer> {
  const { nc, orm, topology, hospitalId, log } = settings;
  const spec = predictionConsumerSpec(topology, hospitalId);
  await ensureDurableConsumer(await jetstreamManager(nc), spec);
  const counts: Record<PredictionOutcome, number> = { recorded: 0, shadow: 0, 'unknown-study': 0, older: 0 };
  const runner = new DurableConsumerRunner(
    jetstream(nc),
    spec,
    async (msg: JsMsg) => {
      const outcome = await recordPrediction(orm, hospitalId, parsePayload(PredictionCreatedV1, msg.data), msg.seq);
      counts[outcome] += 1;
    },
    {
      log,
      retryDelayMs: settings.retryDelayMs ?? 1_000,
      termWithReason: serverSupportsTermReason(nc.info?.version),
      tracer: settings.tracer,
    },
  );
  runner.start();
  return { counts, drain: () => runner.drain() };
}
