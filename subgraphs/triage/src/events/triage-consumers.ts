import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import {
  hospitalIdFromSubject,
  PredictionCreatedV1,
  StudyCreatedV1,
  StudyReviewedV1,
  type NatsTopology,
} from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { Tracer } from '@triage/telemetry';
import type { NatsConnection } from '@triage/nats';
import type { z } from 'zod';
import {
  DurableConsumerRunner,
  ensureDurableConsumer,
  parsePayload,
  PoisonMessageError,
  serverSupportsTermReason,
  type DurableConsumerSpec,
  type MessageOutcome,
} from '@triage/nats';
import type { TriageMetrics } from './triage-metrics.js';
import type { TriageProjection } from './triage-projection.js';
import { TriageUpdatePublisher } from './triage-updates.js';

export const STUDIES_CONSUMER = 'triage-studies';
export const PREDICTIONS_CONSUMER = 'triage-predictions';

export interface TriageConsumerSettings {
  topology: NatsTopology;
  maxAckPending: number;
  retryDelayMs: number;
  /** Events handled at once per consumer; events of one study stay in order. */
  concurrency?: number;
}

/**
 * Events of one study must be applied and announced in stream order (an older state must never
 * be published after a newer one); events of different studies may overlap.
 */
export function studyPartitionKey(msg: Pick<JsMsg, 'subject' | 'data'>): string {
  try {
    const { studyId } = JSON.parse(new TextDecoder().decode(msg.data)) as { studyId?: unknown };
    if (typeof studyId === 'string') return `${hospitalIdFromSubject(msg.subject)}:${studyId}`;
  } catch {
    // A malformed payload is terminated by its handler; any key will do.
  }
  return msg.subject;
}

export function triageConsumerSpecs({
  topology,
  maxAckPending,
}: TriageConsumerSettings): Record<'studies' | 'predictions', DurableConsumerSpec> {
  return {
    studies: {
      stream: topology.streams.studies,
      durable: STUDIES_CONSUMER,
      description: 'triage: studies onto the worklist, reviews off the queue',
      maxAckPending,
    },
    predictions: {
      stream: topology.streams.predictions,
      durable: PREDICTIONS_CONSUMER,
      description: 'triage: predictions into the worklist',
      maxAckPending,
    },
  };
}

/** Provisions both durable consumers (idempotent); the streams must exist (ensureStreams). */
export async function ensureTriageConsumers(
  jsm: JetStreamManager,
  settings: TriageConsumerSettings,
): Promise<void> {
  const specs = triageConsumerSpecs(settings);
  await ensureDurableConsumer(jsm, specs.studies);
  await ensureDurableConsumer(jsm, specs.predictions);
}

/**
 * A payload must name the hospital of its subject: NATS permissions bind a hospital to its own
 * subjects, and this check makes that binding hold for the data inside.
 */
function parseEvent<T extends { hospitalId: string }>(schema: z.ZodType<T>, msg: JsMsg): T {
  const event = parsePayload(schema, msg.data);
  if (hospitalIdFromSubject(msg.subject) !== event.hospitalId) {
    throw new PoisonMessageError('payload hospitalId does not match its subject');
  }
  return event;
}

/** The kind of a STUDIES stream event, from the last token of its subject (`studies.<h>.<kind>`). */
export function studyEventKind(subject: string): 'created' | 'reviewed' | 'other' {
  const kind = subject.slice(subject.lastIndexOf('.') + 1);
  return kind === 'created' || kind === 'reviewed' ? kind : 'other';
}

export type ConsumerStats = Record<MessageOutcome, number>;

/** The triage consumers: studies and predictions in, TriageUpdatedV1 out. */
export class TriageConsumers {
  private runners: DurableConsumerRunner[] = [];
  readonly stats: Record<'studies' | 'predictions', ConsumerStats> = {
    studies: { ack: 0, nak: 0, term: 0 },
    predictions: { ack: 0, nak: 0, term: 0 },
  };

  constructor(
    private readonly settings: TriageConsumerSettings & {
      projection: TriageProjection;
      log: Logger;
      onOutcome?: (consumer: string, outcome: MessageOutcome) => void;
      metrics?: TriageMetrics;
      tracer?: Tracer;
    },
  ) {}

  get running(): boolean {
    return this.runners.length > 0;
  }

  async start(nc: NatsConnection): Promise<void> {
    if (this.running) return;
    const { topology, projection, log } = this.settings;
    await ensureTriageConsumers(await jetstreamManager(nc), this.settings);
    const js = jetstream(nc);
    const publisher = new TriageUpdatePublisher(js, topology, projection);
    const specs = triageConsumerSpecs(this.settings);
    const options = (kind: 'studies' | 'predictions') => ({
      log,
      retryDelayMs: this.settings.retryDelayMs,
      termWithReason: serverSupportsTermReason(nc.info?.version),
      concurrency: Math.min(this.settings.concurrency ?? 1, this.settings.maxAckPending),
      partitionKey: studyPartitionKey,
      tracer: this.settings.tracer,
      onOutcome: (outcome: MessageOutcome) => {
        this.stats[kind][outcome] += 1;
        this.settings.onOutcome?.(specs[kind].durable, outcome);
      },
    });
    this.runners = [
      new DurableConsumerRunner(
        js,
        specs.studies,
        async (msg) => {
          // One stream carries every study event; dispatch by subject, each with its own contract.
          switch (studyEventKind(msg.subject)) {
            case 'created':
              await publisher.announce(
                await projection.applyStudyCreated(parseEvent(StudyCreatedV1, msg)),
                'studies',
                msg,
              );
              return;
            case 'reviewed': {
              const event = parseEvent(StudyReviewedV1, msg);
              const result = await projection.applyStudyReviewed(event);
              await publisher.announce(result, 'studies', msg);
              this.settings.metrics?.reviewProjected(event, result);
              return;
            }
            default:
              // A kind of study event triage has no use for (yet): acknowledged and skipped.
              log.debug(
                { subject: msg.subject, streamSequence: msg.seq },
                'ignoring a study event triage does not project',
              );
          }
        },
        options('studies'),
      ),
      new DurableConsumerRunner(
        js,
        specs.predictions,
        async (msg) => {
          const event = parseEvent(PredictionCreatedV1, msg);
          const result = await projection.applyPredictionCreated(event);
          await publisher.announce(result, 'predictions', msg);
          this.settings.metrics?.predictionProjected(event, result);
          log.debug(
            { hospitalId: event.hospitalId, studyId: event.studyId, modelVersion: event.modelVersion, status: result.item?.status, changed: result.changed },
            'prediction projected onto the worklist',
          );
        },
        options('predictions'),
      ),
    ];
    for (const runner of this.runners) runner.start();
  }

  /** Finishes in-flight messages; call before closing NATS and the database. */
  async drain(): Promise<void> {
    const runners = this.runners;
    this.runners = [];
    await Promise.all(runners.map((runner) => runner.drain()));
    await this.settings.projection.flush();
  }
}
