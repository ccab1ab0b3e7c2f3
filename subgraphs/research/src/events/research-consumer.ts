import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { hospitalIdFromSubject, ResearchLabeledV1, type NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { Tracer } from '@triage/telemetry';
import type { NatsConnection } from '@triage/nats';
import type { LabeledExampleProjection } from '../labeled-example/labeled-example.projection.js';
import {
  DurableConsumerRunner,
  ensureDurableConsumer,
  parsePayload,
  PoisonMessageError,
  serverSupportsTermReason,
  type DurableConsumerSpec,
  type MessageOutcome,
} from '@triage/nats';

export const LABELED_CONSUMER = 'research-labeled';

export interface ResearchConsumerSettings {
  topology: NatsTopology;
  maxAckPending: number;
  retryDelayMs: number;
}

export function labeledConsumerSpec({
  topology,
  maxAckPending,
}: ResearchConsumerSettings): DurableConsumerSpec {
  return {
    stream: topology.streams.research,
    durable: LABELED_CONSUMER,
    description: 'research: de-identified labelled examples into the index',
    maxAckPending,
  };
}

/** Provisions the durable consumer (idempotent); the streams must exist (ensureStreams). */
export async function ensureResearchConsumers(
  jsm: JetStreamManager,
  settings: ResearchConsumerSettings,
): Promise<void> {
  await ensureDurableConsumer(jsm, labeledConsumerSpec(settings));
}

/** The kind of a RESEARCH stream event, from its subject (`research.<kind>.<hospitalId>`). */
export function researchEventKind(subject: string, topology: NatsTopology): 'labeled' | 'other' {
  const prefix = topology.namespace ? `${topology.namespace}.` : '';
  return subject.startsWith(`${prefix}research.labeled.`) ? 'labeled' : 'other';
}

/**
 * Parses a labelled example and checks what the contract cannot: the hospital of the payload is
 * the hospital of the subject, and the image is in the research bucket (a reference into a
 * hospital's own bucket would point at an original, not a de-identified copy).
 */
export function parseLabeledEvent(
  msg: Pick<JsMsg, 'data' | 'subject'>,
  topology: NatsTopology,
): ResearchLabeledV1 {
  const event = parsePayload(ResearchLabeledV1, msg.data);
  if (hospitalIdFromSubject(msg.subject) !== event.hospitalId) {
    throw new PoisonMessageError('payload hospitalId does not match its subject');
  }
  if (event.image.bucket !== topology.buckets.research) {
    throw new PoisonMessageError('image is not in the research bucket');
  }
  return event;
}

export type ConsumerStats = Record<MessageOutcome, number>;

export class ResearchConsumers {
  private runners: DurableConsumerRunner[] = [];
  readonly stats: { labeled: ConsumerStats } = { labeled: { ack: 0, nak: 0, term: 0 } };
  /** Examples that were new (not replays). */
  indexed = 0;

  constructor(
    private readonly settings: ResearchConsumerSettings & {
      projection: LabeledExampleProjection;
      log: Logger;
      onOutcome?: (consumer: string, outcome: MessageOutcome) => void;
      tracer?: Tracer;
    },
  ) {}

  get running(): boolean {
    return this.runners.length > 0;
  }

  async start(nc: NatsConnection): Promise<void> {
    if (this.running) return;
    const { topology, projection, log } = this.settings;
    await ensureResearchConsumers(await jetstreamManager(nc), this.settings);
    const spec = labeledConsumerSpec(this.settings);
    this.runners = [
      new DurableConsumerRunner(
        jetstream(nc),
        spec,
        async (msg) => {
          if (researchEventKind(msg.subject, topology) !== 'labeled') {
            log.debug(
              { subject: msg.subject, streamSequence: msg.seq },
              'ignoring a research event this service does not index',
            );
            return;
          }
          const event = parseLabeledEvent(msg, topology);
          const added = await projection.apply(event, msg.seq);
          if (added) this.indexed += 1;
          log.debug(
            {
              exampleId: event.exampleId,
              hospitalId: event.hospitalId,
              finding: event.finding,
              streamSequence: msg.seq,
            },
            added ? 'labeled example indexed' : 'labeled example already indexed',
          );
        },
        {
          log,
          retryDelayMs: this.settings.retryDelayMs,
          tracer: this.settings.tracer,
          // nats-server 2.9 ignores `+TERM <reason>` (the message would come back): bare term there.
          termWithReason: serverSupportsTermReason(nc.info?.version),
          onOutcome: (outcome: MessageOutcome) => {
            this.stats.labeled[outcome] += 1;
            this.settings.onOutcome?.(spec.durable, outcome);
          },
        },
      ),
    ];
    for (const runner of this.runners) runner.start();
  }

  /** Finishes in-flight messages; call before closing NATS and the database. */
  async drain(): Promise<void> {
    const runners = this.runners;
    this.runners = [];
    await Promise.all(runners.map((runner) => runner.drain()));
  }
}
