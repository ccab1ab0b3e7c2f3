import { decodeEvent, messageIds, StudyReviewedV1 } from '@triage/contracts';
import { ensureStreams, jetstreamManager } from '@triage/nats';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OutboxEvent } from '../src/outbox/outbox-event.entity.js';
import { Review } from '../src/review/review.entity.js';
import { errorCodes, startHospital, type Hospital } from './harness.js';
import { newPatient, smallJpeg, studyWithImage } from './ingest-fixtures.js';
import { OidcTestIssuer } from './oidc-issuer.js';

const REVIEW_FIELDS = 'id finding notes reviewedAt reviewerName';
const RECORD = `mutation ($h: ID!, $s: ID!, $f: ReviewFinding!, $n: String) {
  recordReview(hospitalId: $h, studyId: $s, finding: $f, notes: $n) { ${REVIEW_FIELDS} }
}`;
const STUDY_REVIEWS = `query ($h: ID!, $id: ID!) { study(hospitalId: $h, id: $id) { status reviews { ${REVIEW_FIELDS} } } }`;

interface ReviewResult {
  id: string;
  finding: string;
  notes: string | null;
  reviewedAt: string;
  reviewerName: string | null;
}

interface PublishedReview {
  msgId: string | undefined;
  subject: string;
  raw: string;
  event: StudyReviewedV1;
}

describe('reviews: recordReview and Study.reviews', () => {
  let h: Hospital;
  let oidc: OidcTestIssuer;
  /** A doctor here whose token carries a display name (OIDC `name` claim). */
  let namedDoctor: string;
  let jpeg: Buffer;

  beforeAll(async () => {
    oidc = await OidcTestIssuer.start();
    h = await startHospital({ env: { AUTH_EXTRA_ISSUERS: oidc.extraIssuersEnv } });
    namedDoctor = await oidc.sign('doctor-gregory', { name: 'Gregory House', memberships: [{ hospitalId: h.id, role: 'doctor' }] });
    jpeg = await smallJpeg();
  });
  afterAll(async () => {
    await h?.close();
    await oidc?.stop();
  });

  const record = (studyId: string, finding: string, notes: string | null = null, token = h.tokens.doctor) =>
    h.run<{ recordReview: ReviewResult }>(RECORD, { h: h.id, s: studyId, f: finding, n: notes }, token);

  async function reviewedEvents(): Promise<PublishedReview[]> {
    const jsm = await jetstreamManager(h.nc);
    const { state } = await jsm.streams.info(h.topology.streams.studies);
    const found: PublishedReview[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(h.topology.streams.studies, { seq }).catch(() => null);
      if (!msg || msg.subject !== h.topology.subjects.studyReviewed(h.id)) continue;
      found.push({ msgId: msg.header.get('Nats-Msg-Id'), subject: msg.subject, raw: msg.string(), event: decodeEvent(StudyReviewedV1, msg.data) });
    }
    return found;
  }

  const reviewCount = () => h.server.orm.em.fork().count(Review, {});

  it('records reviews, lists them newest first, and marks the study REVIEWED', async () => {
    const study = await studyWithImage(h, jpeg);
    expect(study.status).toBe('REGISTERED');

    const first = await record(study.id, 'PNEUMONIA', '  Right lower lobe consolidation.\nCompare with prior.  ', namedDoctor);
    expect(first.errors).toBeUndefined();
    expect(first.data!.recordReview).toMatchObject({
      finding: 'PNEUMONIA',
      notes: 'Right lower lobe consolidation.\nCompare with prior.',
      reviewerName: 'Gregory House',
    });
    expect(Math.abs(new Date(first.data!.recordReview.reviewedAt).getTime() - Date.now())).toBeLessThan(10_000);

    const second = await record(study.id, 'NORMAL', '   ');
    expect(second.errors).toBeUndefined();
    // A token without a name claim gives no name; blank notes are no notes.
    expect(second.data!.recordReview).toMatchObject({ finding: 'NORMAL', notes: null, reviewerName: null });

    const res = await h.run<{ study: { status: string; reviews: ReviewResult[] } }>(STUDY_REVIEWS, { h: h.id, id: study.id }, h.tokens.technician);
    expect(res.errors).toBeUndefined();
    expect(res.data!.study.status).toBe('REVIEWED');
    expect(res.data!.study.reviews).toEqual([second.data!.recordReview, first.data!.recordReview]);

    // The reviewer is the token's subject.
    const stored = await h.server.orm.em.fork().findOneOrFail(Review, { id: first.data!.recordReview.id });
    expect(stored.reviewerId).toBe('doctor-gregory');
  });

  it('puts exactly one StudyReviewedV1 per review on the stream, without notes or names', async () => {
    const patient = newPatient({ name: 'Hedy Lamarr', mrn: 'MRN-REVIEW-EVT', birthDate: '1914-11-09' });
    const study = await studyWithImage(h, jpeg, { patient });
    const notes = 'Patient Hedy Lamarr reports cough; MRN-REVIEW-EVT';
    const res = await record(study.id, 'UNCERTAIN', notes, namedDoctor);
    expect(res.errors).toBeUndefined();
    const review = res.data!.recordReview;

    const events = (await reviewedEvents()).filter((e) => e.event.reviewId === review.id);
    expect(events).toHaveLength(1);
    const [published] = events;
    expect(published!.msgId).toBe(messageIds.studyReviewed(review.id));
    expect(published!.event).toEqual({
      version: 1,
      hospitalId: h.id,
      studyId: study.id,
      reviewId: review.id,
      finding: 'uncertain',
      reviewedAt: review.reviewedAt,
      occurredAt: expect.any(String),
    });
    for (const phi of ['Hedy', 'Lamarr', 'MRN-REVIEW-EVT', '1914-11-09', 'cough', 'Gregory', 'House', 'doctor-gregory']) {
      expect(published!.raw).not.toContain(phi);
    }
    const outboxRow = () => h.server.orm.em.fork().findOneOrFail(OutboxEvent, { msgId: messageIds.studyReviewed(review.id) });
    await expect.poll(async () => (await outboxRow()).publishedAt).toBeInstanceOf(Date); // marked in a batch
    const row = await outboxRow();

    // The relay publishing the row again (a crash before the stamp) adds nothing to the stream.
    await h.server.orm.em.fork().nativeUpdate(OutboxEvent, { id: row.id }, { publishedAt: null });
    await h.server.outbox().publishPending();
    expect((await reviewedEvents()).filter((e) => e.event.reviewId === review.id)).toHaveLength(1);
  });

  it('keeps the review and publishes its event later when JetStream is down', async () => {
    const study = await studyWithImage(h, jpeg);
    const jsm = await jetstreamManager(h.nc);
    await jsm.streams.delete(h.topology.streams.studies);
    let reviewId: string;
    try {
      const res = await record(study.id, 'PNEUMONIA');
      expect(res.errors).toBeUndefined();
      reviewId = res.data!.recordReview.id;
      const row = await h.server.orm.em.fork().findOneOrFail(OutboxEvent, { msgId: messageIds.studyReviewed(reviewId) });
      expect(row.publishedAt).toBeNull();
    } finally {
      await ensureStreams(h.nc, h.topology);
    }
    expect(await h.server.outbox().publishPending()).toBeGreaterThanOrEqual(1);
    expect((await reviewedEvents()).filter((e) => e.event.reviewId === reviewId)).toHaveLength(1);
  });

  it('refuses technicians, integrations and doctors of another hospital, and records nothing', async () => {
    const study = await studyWithImage(h, jpeg);
    const before = await reviewCount();
    for (const token of [h.tokens.technician, h.tokens.integration, h.tokens.otherDoctor, h.tokens.researcher, h.tokens.admin]) {
      expect(errorCodes(await record(study.id, 'NORMAL', null, token))).toEqual(['FORBIDDEN']);
    }
    // A doctor of this hospital naming another hospital is refused as well.
    const elsewhere = await h.run(RECORD, { h: h.otherHospitalId, s: study.id, f: 'NORMAL', n: null }, h.tokens.doctor);
    expect(errorCodes(elsewhere)).toEqual(['FORBIDDEN']);
    expect(await reviewCount()).toBe(before);
    const res = await h.run<{ study: { status: string } }>(STUDY_REVIEWS, { h: h.id, id: study.id });
    expect(res.data!.study.status).toBe('IMAGE_STORED');
  });

  it('refuses a study without an image, an unknown study and notes that are too long', async () => {
    const patient = await h.seed.patient();
    const noImage = await h.seed.study(patient.id);
    const before = await reviewCount();
    const res = await record(noImage.id, 'NORMAL');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toBe('the study has no image yet');
    expect(errorCodes(await record(crypto.randomUUID(), 'NORMAL'))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await record('not-a-uuid', 'NORMAL'))).toEqual(['BAD_USER_INPUT']);

    const study = await studyWithImage(h, jpeg);
    const tooLong = await record(study.id, 'NORMAL', 'x'.repeat(4001));
    expect(errorCodes(tooLong)).toEqual(['BAD_USER_INPUT']);
    expect(tooLong.errors![0]!.message).toMatch(/at most 4000/);
    expect(errorCodes(await record(study.id, 'NORMAL', 'bell\u0007'))).toEqual(['BAD_USER_INPUT']);
    expect(await reviewCount()).toBe(before);
    expect((await record(study.id, 'NORMAL', 'é'.repeat(4000))).errors).toBeUndefined();
  });

  it('loads the reviews of a whole page of studies in one query', async () => {
    const studies = await Promise.all([1, 2, 3].map(() => studyWithImage(h, jpeg)));
    for (const study of studies) expect((await record(study.id, 'NORMAL')).errors).toBeUndefined();

    const logQuery = vi.spyOn(h.server.orm.config.getLogger(), 'logQuery');
    const res = await h.run<{ studies: { edges: { node: { id: string; reviews: ReviewResult[] } }[] } }>(
      `query ($h: ID!) { studies(hospitalId: $h, first: 50) { edges { node { id reviews { id finding } } } } }`,
      { h: h.id },
      h.tokens.doctor,
    );
    const reviewSelects = logQuery.mock.calls.map(([context]) => String(context.query)).filter((q) => /^select/i.test(q) && /from "review"/.test(q));
    logQuery.mockRestore();

    expect(res.errors).toBeUndefined();
    const nodes = res.data!.studies.edges.map((e) => e.node);
    for (const study of studies) expect(nodes.find((n) => n.id === study.id)?.reviews).toHaveLength(1);
    expect(reviewSelects).toHaveLength(1);
  });
});
