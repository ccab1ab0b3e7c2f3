import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound, type Principal } from '@triage/auth';
import { messageIds, StudyReviewedV1, type NatsTopology } from '@triage/contracts';
import { requireUuid } from '../common/validation.js';
import { serializeContext } from '@triage/telemetry';
import { DeidentificationJob } from '../deidentify/deidentification-job.entity.js';
import { enqueueEvent } from '../outbox/outbox.js';
import type { OutboxRelay } from '../outbox/outbox.relay.js';
import { Study, StudyStatus } from '../study/study.entity.js';
import { NOTES_MAX, Review, type ReviewFinding } from './review.entity.js';

export interface ReviewServiceDeps {
  em: EntityManager;
  hospitalId: string;
  topology: NatsTopology;
  outbox: OutboxRelay;
  /** Called after a review commits (the de-identification queue picks up its job at once). */
  onReviewed?: (review: Review) => void;
}

export interface RecordReviewInput {
  studyId: string;
  finding: ReviewFinding;
  notes?: string | null;
}

const REVIEWER_NAME_MAX = 200;
/** Notes are multi-line text: tabs and line breaks are fine, other control characters are not. */
const NOTES_CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The event announcing a review: the finding and ids only. Notes are free text and may hold PHI. */
export function studyReviewedEvent(review: Review, hospitalId: string, occurredAt = new Date()): StudyReviewedV1 {
  return StudyReviewedV1.parse({
    version: 1,
    hospitalId,
    studyId: review.study.id,
    reviewId: review.id,
    finding: review.finding.toLowerCase(),
    reviewedAt: review.reviewedAt.toISOString(),
    occurredAt: occurredAt.toISOString(),
  });
}

/** Trimmed notes, null when empty; BAD_USER_INPUT when too long or holding control characters. */
export function normalizeNotes(notes: string | null | undefined): string | null {
  const text = notes?.trim() ?? '';
  if (!text) return null;
  if ([...text].length > NOTES_MAX) throw badInput(`notes must be at most ${NOTES_MAX} characters`);
  if (NOTES_CONTROL_CHARACTERS.test(text)) throw badInput('notes must not contain control characters other than tabs and line breaks');
  return text;
}

/**
 * The reviewer's display name from the (already verified) token: `name`, else `given_name` +
 * `family_name` (OIDC standard claims); null when the issuer sent none.
 */
export function reviewerNameFromToken(principal: Principal): string | null {
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(principal.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : '');
  const name = text(claims.name) || [text(claims.given_name), text(claims.family_name)].filter(Boolean).join(' ');
  return name ? [...name].slice(0, REVIEWER_NAME_MAX).join('') : null;
}

export class ReviewService {
  private readonly em: EntityManager;

  constructor(private readonly deps: ReviewServiceDeps) {
    this.em = deps.em;
  }

  /**
   * Records a doctor's finding: the review, the study's REVIEWED status, the StudyReviewed event and
   * the de-identification job commit in one transaction (the study row locked, so concurrent reviews
   * serialize), then the event is published and the de-identification queue woken. BAD_USER_INPUT for a study without an image: there is nothing to read.
   */
  async record(principal: Principal, input: RecordReviewInput): Promise<Review> {
    const studyId = requireUuid(input.studyId, 'studyId');
    const notes = normalizeNotes(input.notes);
    const { review, event } = await this.em.transactional(async (em) => {
      const study = await em.findOne(Study, { id: studyId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!study) throw notFound(`study ${studyId} not found`);
      if (!study.image) throw badInput('the study has no image yet');
      const created = em.create(Review, {
        study,
        finding: input.finding,
        notes,
        reviewerId: principal.subject,
        reviewerName: reviewerNameFromToken(principal),
        reviewedAt: new Date(),
      });
      study.status = StudyStatus.REVIEWED;
      // The research copy is made after the commit, by the queue; the job commits with the review so it cannot be lost.
      em.create(DeidentificationJob, { review: created, traceContext: serializeContext() });
      const outboxEvent = enqueueEvent(em as EntityManager, {
        subject: this.deps.topology.subjects.studyReviewed(this.deps.hospitalId),
        msgId: messageIds.studyReviewed(created.id),
        payload: studyReviewedEvent(created, this.deps.hospitalId),
      });
      return { review: created, event: outboxEvent };
    });
    await this.deps.outbox.publishNow(event);
    this.deps.onReviewed?.(review);
    return review;
  }
}
