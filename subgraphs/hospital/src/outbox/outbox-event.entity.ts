import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An event committed in the same transaction as the change it announces, published to JetStream
 * afterwards (see outbox.relay.ts). `msgId` lets JetStream drop a second publish of the same row.
 */
@Entity({ tableName: 'outbox_event' })
@Index({ name: 'outbox_event_unpublished_idx', properties: ['publishedAt', 'createdAt'] })
export class OutboxEvent {
  [OptionalProps]?: 'id' | 'createdAt' | 'publishedAt' | 'traceContext';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  @Unique({ name: 'outbox_event_msg_id_unique' })
  msgId!: string;

  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** `traceparent` / `tracestate` of the request that staged the event (ids only, no data). */
  @Property({ type: 'jsonb', nullable: true })
  traceContext: Record<string, string> | null = null;

  @Property({ type: 'datetime', onCreate: () => new Date() })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  publishedAt: Date | null = null;
}
