import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Review } from '../review/review.entity.js';

export enum DeidentificationJobStatus {
  PENDING = 'PENDING',
  DONE = 'DONE',
  /** Gave up after the maximum number of attempts. */
  FAILED = 'FAILED',
}

/**
 * "Produce the de-identified research copy of this review's study": committed with the review
 * (like an outbox row), so a crash between the review and the export loses nothing; worked off by
 * the in-process DeidentificationQueue, one at a time, retried with backoff.
 */
@Entity({ tableName: 'deidentification_job' })
@Index({ name: 'deidentification_job_due_idx', properties: ['status', 'nextAttemptAt'] })
@Unique({ name: 'deidentification_job_review_id_unique', properties: ['review'] })
export class DeidentificationJob {
  [OptionalProps]?: 'id' | 'exampleId' | 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'createdAt' | 'completedAt' | 'traceContext';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Review, deleteRule: 'cascade', index: false })
  review!: Review;

  /** The research example's id: random, never derived from the study; fixed here so retries overwrite the same objects. */
  @Property({ type: 'uuid' })
  exampleId: string = randomUUID();

  @Enum({ items: () => DeidentificationJobStatus, type: 'text' })
  status: DeidentificationJobStatus = DeidentificationJobStatus.PENDING;

  /** Attempts started (a claim counts, so a job that crashes the process still runs out of attempts). */
  @Property({ type: 'integer' })
  attempts: number = 0;

  /** When the job may run next; a claimed job's lease ends here too. */
  @Property({ type: 'datetime' })
  nextAttemptAt: Date = new Date();

  /** The kind of the last failure (error type and code, never its message: messages can quote data). */
  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  /** `traceparent` / `tracestate` of the review request: the research copy continues its trace. */
  @Property({ type: 'jsonb', nullable: true })
  traceContext: Record<string, string> | null = null;

  @Property({ type: 'datetime', onCreate: () => new Date() })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;
}
