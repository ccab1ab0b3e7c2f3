import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from '@triage/logger';
import type { NatsConnection } from '@triage/nats';
import { BatchWriter, type Orm } from '@triage/service-common';
import { deserializeContext, fallbackTracer, natsTraceHeaders, SpanKind, withSpan, type Tracer } from '@triage/telemetry';
import { OutboxEvent } from './outbox-event.entity.js';

export interface OutboxRelaySettings {
  orm: Orm;
  nc: NatsConnection;
  log: Logger;
  /** How often unpublished events are retried. */
  intervalMs?: number;
  batchSize?: number;
  /** How long one relay publish waits for the JetStream ack. */
  publishTimeoutMs?: number;
  /** Shorter wait for `publishNow`, which a request awaits: a NATS outage must not stall writes. */
  immediateTimeoutMs?: number;
  tracer?: Tracer;
}

export interface OutboxRelay {
  /** Starts retrying unpublished events every `intervalMs`. */
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
  /** Publishes one committed event right away; on failure it stays for the relay. Never throws. */
  publishNow(event: OutboxEvent): Promise<boolean>;
  /** Publishes every unpublished event, oldest first, until one fails; returns how many went out. */
  publishPending(): Promise<number>;
}

/**
 * The publishing half of the transactional outbox. An event row is committed with its change;
 * this relay puts it on JetStream and stamps `published_at`. A row may be published twice (the
 * immediate publish and the relay racing, or a crash between publish and stamp): its msgId makes
 * JetStream drop the copy within the stream's duplicate window.
 */
export function createOutboxRelay({
  orm,
  nc,
  log,
  intervalMs = 1_000,
  batchSize = 100,
  publishTimeoutMs = 5_000,
  immediateTimeoutMs = 2_000,
  tracer = fallbackTracer('outbox'),
}: OutboxRelaySettings): OutboxRelay {
  const js: JetStreamClient = jetstream(nc);
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Runs are chained so they never overlap; a caller always gets a run that started after its call.
  let chain: Promise<unknown> = Promise.resolve();
  let failing = false;
  // Published marks are written in batches shortly after the publish (one UPDATE for many rows). A
  // row whose mark is not written yet may be published again by a relay run, and dropped by
  // JetStream as a duplicate, as after a crash between publish and mark.
  const marks = new BatchWriter<OutboxEvent['id']>({
    what: 'outbox published marks',
    delayMs: 25,
    keyOf: String,
    write: async (ids) => {
      await orm.em.fork().nativeUpdate(OutboxEvent, { id: { $in: ids }, publishedAt: null }, { publishedAt: new Date() });
    },
    log,
  });

  async function publish(
    event: Pick<OutboxEvent, 'id' | 'subject' | 'msgId' | 'payload' | 'traceContext'>,
    timeout = publishTimeoutMs,
  ): Promise<void> {
    // A producer span in the trace the event was staged in; its context travels in the headers.
    const attributes = { 'messaging.system': 'nats', 'messaging.destination.name': event.subject };
    const parent = deserializeContext(event.traceContext);
    await withSpan(tracer, 'outbox publish', { kind: SpanKind.PRODUCER, parent, attributes }, async () => {
      const headers = natsTraceHeaders();
      await js.publish(event.subject, encoder.encode(JSON.stringify(event.payload)), { msgID: event.msgId, timeout, headers });
    });
    marks.add(event.id);
  }

  function reportFailure(error: unknown, event: Pick<OutboxEvent, 'id' | 'subject'>): void {
    // Logged once per outage, not once per row and tick; payloads are never logged.
    if (!failing) log.warn({ err: error, outboxEventId: event.id, subject: event.subject }, 'outbox publish failed; will retry');
    failing = true;
  }

  async function drain(): Promise<number> {
    let published = 0;
    await marks.flush();
    for (;;) {
      const batch = await orm.em
        .fork()
        .find(OutboxEvent, { publishedAt: null }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], limit: batchSize });
      for (const event of batch) {
        try {
          await publish(event);
          published += 1;
        } catch (error) {
          reportFailure(error, event);
          return published;
        }
      }
      if (failing && batch.length > 0) log.info({ published }, 'outbox publishing recovered');
      failing = false;
      if (batch.length < batchSize || stopped) return published;
      await marks.flush();
    }
  }

  function publishPending(): Promise<number> {
    const run = chain.then(drain);
    chain = run.catch((error: unknown) => log.error({ err: error }, 'outbox relay run failed'));
    return run;
  }

  return {
    start() {
      stopped = false;
      const tick = () => {
        if (stopped) return;
        void publishPending()
          .catch(() => undefined)
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
      await marks.flush();
    },
    async publishNow(event) {
      try {
        await publish(event, immediateTimeoutMs);
        return true;
      } catch (error) {
        reportFailure(error, event);
        return false;
      }
    },
    publishPending,
  };
}
