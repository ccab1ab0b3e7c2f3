import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { decodeEvent, hospitalIdFromSubject, TriageUpdatedV1, type NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { NatsConnection } from '@triage/nats';
import { context, fallbackTracer, natsMessageContext, SpanKind, trace, type Tracer } from '@triage/telemetry';

/** A TriageUpdatedV1 at its place in the triage stream. */
export interface TriageFeedEvent extends TriageUpdatedV1 {
  /** The stream sequence: the event's cursor. */
  sequence: number;
  /** When JetStream stored the event (ms since epoch). */
  storedAt: number;
}

export type TriageEventListener = (event: TriageFeedEvent) => void;

export class FeedUnavailableError extends Error {}

/** What the subscription hub needs from the stream (the real one is TriageEventSource). */
export interface FeedEventSource {
  onEvent(listener: TriageEventListener): void;
  whenReady(timeoutMs: number): Promise<void>;
  lastSequence(): Promise<number>;
  replay(after: number, until: number): AsyncIterable<TriageFeedEvent>;
}

/**
 * Decodes a triage stream message; null for anything that is not a valid TriageUpdatedV1 of the
 * hospital its subject names (such an event is never shown to anyone).
 */
export function decodeTriageMessage(
  msg: Pick<JsMsg, 'subject' | 'data' | 'seq' | 'info'>,
): TriageFeedEvent | null {
  try {
    const event = decodeEvent(TriageUpdatedV1, msg.data);
    if (hospitalIdFromSubject(msg.subject) !== event.hospitalId) return null;
    return { ...event, sequence: msg.seq, storedAt: Math.floor(msg.info.timestampNanos / 1_000_000) };
  } catch {
    return null;
  }
}

/**
 * The triage stream as this gateway replica sees it: ONE ordered, ephemeral JetStream consumer
 * per replica (each replica reads the whole stream on its own, no queue group), starting at the
 * stream's end when the replica starts, and fanning events out in-process in stream order. An
 * ordered consumer recreates itself after a gap or a lost connection from the last sequence it
 * delivered, so the live sequence has no holes. Replays for resuming subscribers use their own
 * short-lived ordered consumers (`replay`).
 */
export class TriageEventSource implements FeedEventSource {
  private listener: TriageEventListener = () => undefined;
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  private lastDelivered = 0;
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve));
  private isReady = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: NatsTopology,
    private readonly log: Logger,
    private readonly retryDelayMs = 1_000,
    private readonly tracer: Tracer = fallbackTracer('gateway'),
  ) {}

  get stream(): string {
    return this.topology.streams.triage;
  }

  onEvent(listener: TriageEventListener): void {
    this.listener = listener;
  }

  /** Starts consuming in the background; retries until the stream exists (triage creates it). */
  start(): void {
    this.loop ??= this.run();
  }

  ready(): boolean {
    return this.isReady;
  }

  /** Resolves once live events flow, or fails after `timeoutMs`. */
  async whenReady(timeoutMs: number): Promise<void> {
    if (this.isReady) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.readyPromise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new FeedUnavailableError('The triage feed is not available yet')),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The sequence of the newest event in the stream (0 when empty). */
  async lastSequence(): Promise<number> {
    const jsm = await jetstreamManager(this.nc);
    return (await jsm.streams.info(this.stream)).state.last_seq;
  }

  /**
   * Events after `after` up to and including `until`, in order, read by a private ordered
   * consumer. Events the stream no longer holds (older than its retention) are skipped.
   */
  async *replay(after: number, until: number): AsyncGenerator<TriageFeedEvent> {
    if (until <= after) return;
    const consumer = await jetstream(this.nc).consumers.get(this.stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: after + 1,
    });
    const messages = await consumer.consume({ max_messages: 256 });
    try {
      for await (const msg of messages) {
        if (msg.seq > until) break;
        const event = decodeTriageMessage(msg);
        if (event) yield event;
        if (msg.seq >= until || msg.info.pending === 0) break;
      }
    } finally {
      await messages.close().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.messages?.close().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        // Start where this replica left off, or at the end of the stream on first start.
        const startAt = this.lastDelivered > 0 ? this.lastDelivered + 1 : (await this.lastSequence()) + 1;
        const consumer = await jetstream(this.nc).consumers.get(this.stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: startAt,
        });
        this.messages = await consumer.consume({ max_messages: 512 });
        if (this.stopped) break;
        this.isReady = true;
        this.resolveReady();
        this.log.info({ stream: this.stream, startAt }, 'consuming the triage stream for subscriptions');
        for await (const msg of this.messages) {
          this.lastDelivered = msg.seq;
          const event = decodeTriageMessage(msg);
          if (!event) {
            this.log.warn(
              { subject: msg.subject, streamSequence: msg.seq },
              'skipping a malformed triage event',
            );
            continue;
          }
          // Delivery (and the enrichment fetches it starts) continues the trace of the study's event.
          const parent = natsMessageContext(msg.headers);
          const span = this.tracer.startSpan(
            'triage event fan-out',
            { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': msg.subject, 'messaging.nats.stream_sequence': msg.seq } },
            parent,
          );
          try {
            context.with(trace.setSpan(parent, span), () => {
              this.log.debug(
                { hospitalId: event.hospitalId, studyId: event.studyId, status: event.status, streamSequence: msg.seq },
                'fanning out a triage event to subscribers',
              );
              this.listener(event);
            });
          } catch (error) {
            this.log.error({ err: error, streamSequence: msg.seq }, 'fan-out of a triage event failed');
          } finally {
            span.end();
          }
        }
      } catch (error) {
        if (this.stopped) break;
        this.log.warn({ err: error, stream: this.stream }, 'cannot consume the triage stream yet; retrying');
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
    await this.messages?.close().catch(() => undefined);
  }
}
