import type { EntityManager } from '@mikro-orm/postgresql';
import { serializeContext } from '@triage/telemetry';
import { OutboxEvent } from './outbox-event.entity.js';

export interface OutgoingEvent {
  subject: string;
  /** JetStream de-duplication id (Nats-Msg-Id); the same event always gets the same id. */
  msgId: string;
  /** Already validated against its contract schema. */
  payload: object;
}

/**
 * Stages an event in the caller's unit of work: it is committed (or rolled back) together with
 * the change it announces. Publish it after the commit with `OutboxRelay.publishNow`.
 */
export function enqueueEvent(em: EntityManager, event: OutgoingEvent): OutboxEvent {
  const row = em.create(OutboxEvent, {
    subject: event.subject,
    msgId: event.msgId,
    payload: event.payload as Record<string, unknown>,
    // The event continues the trace it was caused in, even when the relay publishes it later.
    traceContext: serializeContext(),
  });
  em.persist(row);
  return row;
}
