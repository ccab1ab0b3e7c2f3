import { headers as natsHeaders } from '@nats-io/transport-node';
import { gql } from '@triage/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prediction } from '../src/prediction/prediction.entity.js';
import { WorklistItem } from '../src/worklist-item/worklist-item.entity.js';
import {
  doctorOf,
  hospitalId,
  predictionCreated,
  publishPrediction,
  publishReview,
  publishStudy,
  startHarness,
  studyCreated,
  studyId,
  studyReviewed,
  triageUpdates,
  waitFor,
  worklist,
  type Harness,
} from './harness.js';

const STUDY_QUERY = /* GraphQL */ `
  query Study($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Study {
        hospitalId
        id
        prediction { modelVersion risk label threshold timings { queueMs preprocessMs inferenceMs } createdAt }
        predictions { modelVersion risk }
        triage { status priority risk updatedAt }
      }
    }
  }
`;

describe('triage consumers', () => {
  let h: Harness;
  const hospital = hospitalId('evt');
  let doctor: string;

  const item = (id: string) => h.server.orm.em.fork().findOne(WorklistItem, { hospitalId: hospital, studyId: id });
  const predictionRows = (id: string) => h.server.orm.em.fork().find(Prediction, { hospitalId: hospital, studyId: id }, { orderBy: { modelVersion: 'asc' } });
  const processed = (kind: 'studies' | 'predictions') => h.server.consumers.stats[kind].ack + h.server.consumers.stats[kind].term;
  const updatesFor = async (id: string) => (await triageUpdates(h)).filter((e) => e.studyId === id);
  /**
   * Waits until both consumers have handled everything published so far. The outcome counters move
   * when an event is acked, after its database write: a test that waited for the write must also wait
   * for the ack before it takes a count, or that ack would be mistaken for the next event's.
   */
  const settled = () =>
    waitFor(async () => {
      for (const [stream, durable] of [
        [h.topology.streams.studies, 'triage-studies'],
        [h.topology.streams.predictions, 'triage-predictions'],
      ] as const) {
        const info = await h.jsm.consumers.info(stream, durable);
        if (info.num_ack_pending !== 0 || info.num_pending !== 0) return false;
      }
      return true;
    }, 'every published event handled');

  beforeAll(async () => {
    h = await startHarness();
    doctor = await doctorOf(h, hospital);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('puts a study on the worklist and sets its risk when the prediction arrives', async () => {
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));
    await waitFor(async () => (await item(id))?.status === 'AWAITING_PREDICTION', 'study on the worklist');

    const traced = natsHeaders();
    traced.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    await h.js.publish(
      h.topology.subjects.predictionCreated(hospital),
      new TextEncoder().encode(JSON.stringify(predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.8765, modelVersion: 'v3' }))),
      { msgID: `p-${id}`, headers: traced },
    );
    await waitFor(async () => (await item(id))?.status === 'WAITING', 'prediction applied');

    const { data } = await worklist(h, doctor);
    const node = data!.worklist.edges.find((e) => e.node.study.id === id)!.node;
    expect(node).toMatchObject({ status: 'WAITING', risk: 0.8765, priority: 877, modelVersion: 'v3', hospitalId: hospital });

    // One TriageUpdatedV1 per change, the last one carrying the risk; the row remembers its sequence.
    const updates = await waitFor(async () => {
      const found = await updatesFor(id);
      return found.length === 2 ? found : undefined;
    }, 'two triage updates');
    expect(updates.map((u) => u.status)).toEqual(['AWAITING_PREDICTION', 'WAITING']);
    expect(updates[1]).toMatchObject({ hospitalId: hospital, priority: 877, risk: 0.8765, modelVersion: 'v3' });
    await waitFor(async () => (await item(id))?.lastEventSequence === updates[1]!.seq, 'cursor recorded');
    const published = await h.jsm.streams.getMessage(h.topology.streams.triage, { seq: updates[1]!.seq });
    expect(published?.subject).toBe(h.topology.subjects.triageUpdated(hospital));
    // The update continues the prediction's trace, as a child of triage's consumer span.
    const [, traceId, causeSpan] = traced.get('traceparent').split('-');
    const [, updateTrace, updateParent] = (published?.header.get('traceparent') ?? '').split('-');
    expect(updateTrace).toBe(traceId);
    expect(updateParent).toMatch(/^[0-9a-f]{16}$/);
    expect(updateParent).not.toBe(causeSpan);
  });

  it('stores a replayed prediction once and does not move the item again', async () => {
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));
    const event = predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.42 });
    await publishPrediction(h, event, `first-${id}`);
    await waitFor(async () => (await item(id))?.status === 'WAITING', 'first prediction');
    const before = (await item(id))!;
    const updatesBefore = await updatesFor(id);

    await settled();
    const done = processed('predictions');
    const second = await publishPrediction(h, event, `second-${id}`);
    expect(second.duplicate).toBe(false); // JetStream did deliver it twice
    await waitFor(() => processed('predictions') > done, 'replay processed');

    expect(await predictionRows(id)).toHaveLength(1);
    const after = (await item(id))!;
    expect(after.priority).toBe(420);
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await updatesFor(id)).toHaveLength(updatesBefore.length);

    // A replayed study event neither duplicates the row nor sends it back to AWAITING_PREDICTION.
    await settled();
    const studyDone = processed('studies');
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }), `again-${id}`);
    await waitFor(() => processed('studies') > studyDone, 'study replay processed');
    expect(await h.server.orm.em.fork().count(WorklistItem, { hospitalId: hospital, studyId: id })).toBe(1);
    expect((await item(id))!.status).toBe('WAITING');
  });

  it('records shadow predictions without showing them', async () => {
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.3, modelVersion: 'v1' }));
    await waitFor(async () => (await item(id))?.risk === 0.3, 'live prediction');
    await settled();
    const done = processed('predictions');
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.97, modelVersion: 'v2-candidate', shadow: true }));
    await waitFor(() => processed('predictions') > done, 'shadow processed');

    const rows = await predictionRows(id);
    expect(rows.map((r) => [r.modelVersion, r.shadow])).toEqual([
      ['v1', false],
      ['v2-candidate', true],
    ]);
    expect(await item(id)).toMatchObject({ risk: 0.3, priority: 300, modelVersion: 'v1' });

    const { data, errors } = await gql<{ _entities: Record<string, unknown>[] }>(
      h.graphqlUrl,
      STUDY_QUERY,
      { representations: [{ __typename: 'Study', hospitalId: hospital, id }] },
      doctor,
    );
    expect(errors).toBeUndefined();
    expect(data!._entities[0]).toMatchObject({
      hospitalId: hospital,
      id,
      prediction: { modelVersion: 'v1', risk: 0.3, label: 'NORMAL', threshold: 0.5, timings: { queueMs: 12, preprocessMs: 30.5, inferenceMs: 80 } },
      predictions: [{ modelVersion: 'v1', risk: 0.3 }],
      triage: { status: 'WAITING', priority: 300, risk: 0.3 },
    });
  });

  it('lists prediction history newest first and follows the newest live model', async () => {
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));
    const t0 = Date.now();
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.2, modelVersion: 'v1', occurredAt: new Date(t0).toISOString() }));
    await waitFor(async () => (await item(id))?.modelVersion === 'v1', 'v1');
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.65, modelVersion: 'v2', occurredAt: new Date(t0 + 1000).toISOString() }));
    await waitFor(async () => (await item(id))?.modelVersion === 'v2', 'v2');
    // An old prediction redelivered late does not take the item back to the older model.
    await settled();
    const done = processed('predictions');
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.2, modelVersion: 'v1', occurredAt: new Date(t0).toISOString() }), `late-${id}`);
    await waitFor(() => processed('predictions') > done, 'late replay');
    expect(await item(id)).toMatchObject({ modelVersion: 'v2', risk: 0.65, priority: 650 });

    const { data } = await gql<{ _entities: { predictions: { modelVersion: string }[]; prediction: { modelVersion: string } }[] }>(
      h.graphqlUrl,
      STUDY_QUERY,
      { representations: [{ __typename: 'Study', hospitalId: hospital, id }] },
      doctor,
    );
    expect(data!._entities[0]!.prediction.modelVersion).toBe('v2');
    expect(data!._entities[0]!.predictions.map((p) => p.modelVersion)).toEqual(['v2', 'v1']);
  });

  it('handles a prediction that arrives before its study', async () => {
    const id = studyId();
    const registeredAt = new Date(Date.now() - 60_000).toISOString();
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.91 }));
    await waitFor(async () => (await item(id))?.status === 'WAITING', 'item created by the prediction');
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id, occurredAt: registeredAt }));
    await waitFor(async () => (await item(id))?.receivedAt.toISOString() === registeredAt, 'study registration time applied');
    expect(await item(id)).toMatchObject({ status: 'WAITING', risk: 0.91, priority: 910 });
  });

  it('marks a study without pixels as awaiting its image', async () => {
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id, image: null }));
    await waitFor(async () => (await item(id))?.status === 'AWAITING_IMAGE', 'awaiting image');
    expect((await item(id))!.priority).toBe(0);
  });

  it('terminates malformed events without blocking the ones behind them', async () => {
    const terminated: string[] = [];
    const advisories = h.nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${h.topology.streams.studies}.>`, {
      callback: (_err, msg) => {
        terminated.push(String((msg.json() as { stream_seq: number }).stream_seq));
      },
    });
    await settled();
    const termsBefore = h.server.consumers.stats.studies.term;
    const garbage = await h.js.publish(h.topology.subjects.studyCreated(hospital), new TextEncoder().encode('{"version":1,"studyId":'));
    const wrongShape = await h.js.publish(
      h.topology.subjects.studyCreated(hospital),
      new TextEncoder().encode(JSON.stringify({ ...studyCreated({ hospitalId: hospital, studyId: studyId() }), image: 'not-an-object' })),
    );
    // A hospital may only speak for itself: a payload naming another hospital is refused.
    const impostor = await h.js.publish(
      h.topology.subjects.studyCreated(hospital),
      new TextEncoder().encode(JSON.stringify(studyCreated({ hospitalId: 'someoneelse', studyId: studyId() }))),
    );
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));

    await waitFor(async () => (await item(id))?.status === 'AWAITING_PREDICTION', 'the valid study behind them');
    await waitFor(() => h.server.consumers.stats.studies.term - termsBefore === 3, 'three terminations');
    await waitFor(() => terminated.length === 3, 'termination advisories');
    advisories.unsubscribe();
    expect(terminated.sort()).toEqual([garbage.seq, wrongShape.seq, impostor.seq].map(String).sort());
    expect(await h.server.orm.em.fork().count(WorklistItem, { hospitalId: 'someoneelse' })).toBe(0);
    // Nothing left pending or unacknowledged behind them.
    await settled();
  });

  it('retries after the database was unreachable instead of losing the study', async () => {
    const admin = new pg.Client({ connectionString: h.databaseUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`alter database "${h.database}" allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [h.database]);
      const naksBefore = h.server.consumers.stats.studies.nak;
      const id = studyId();
      await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));
      await waitFor(() => h.server.consumers.stats.studies.nak > naksBefore, 'a nak while the database is down');
      await admin.query(`alter database "${h.database}" allow_connections true`);
      await waitFor(async () => (await item(id))?.status === 'AWAITING_PREDICTION', 'study applied after recovery', 20_000);
      await waitFor(async () => (await updatesFor(id)).length === 1, 'its triage update');
    } finally {
      await admin.query(`alter database "${h.database}" allow_connections true`);
      await admin.end();
    }
  });
  it('takes a reviewed study off the queue as REVIEWED and announces it', async () => {
    const id = studyId();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }));
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.7 }));
    await waitFor(async () => (await item(id))?.status === 'WAITING', 'prediction applied');

    const review = studyReviewed({ hospitalId: hospital, studyId: id, finding: 'normal' });
    await publishReview(h, review);
    await waitFor(async () => (await item(id))?.status === 'REVIEWED', 'review applied');
    expect(await item(id)).toMatchObject({ status: 'REVIEWED', risk: 0.7, priority: 700 });

    const updates = await waitFor(async () => {
      const found = await updatesFor(id);
      return found.at(-1)?.status === 'REVIEWED' ? found : undefined;
    }, 'a REVIEWED triage update');
    expect(updates.map((u) => u.status)).toEqual(['AWAITING_PREDICTION', 'WAITING', 'REVIEWED']);
    expect(updates.at(-1)).toMatchObject({ hospitalId: hospital, studyId: id, risk: 0.7, priority: 700 });
    await waitFor(async () => (await item(id))?.lastEventSequence === updates.at(-1)!.seq, 'cursor recorded');

    const { data } = await worklist(h, doctor, { status: ['REVIEWED'] });
    expect(data!.worklist.edges.map((e) => e.node.study.id)).toContain(id);

    // The same review delivered again and a late prediction neither reopen the study nor repeat the update.
    await settled();
    const done = processed('studies');
    await publishReview(h, review, `again-${review.reviewId}`);
    await waitFor(() => processed('studies') > done, 'replayed review processed');
    await publishPrediction(h, predictionCreated({ hospitalId: hospital, studyId: id, risk: 0.2, modelVersion: 'v9', occurredAt: new Date(Date.now() + 1000).toISOString() }));
    await waitFor(async () => (await item(id))?.modelVersion === 'v9', 'late prediction applied');
    expect(await item(id)).toMatchObject({ status: 'REVIEWED', risk: 0.2 });
    const after = await waitFor(async () => {
      const found = await updatesFor(id);
      return found.length === 4 ? found : undefined;
    }, 'the late prediction\'s update');
    expect(after.map((u) => u.status)).toEqual(['AWAITING_PREDICTION', 'WAITING', 'REVIEWED', 'REVIEWED']);
  });

  it('records a review that arrives before its study, and terminates a malformed one', async () => {
    const id = studyId();
    await publishReview(h, studyReviewed({ hospitalId: hospital, studyId: id }));
    await waitFor(async () => (await item(id))?.status === 'REVIEWED', 'item created by the review');
    const registeredAt = new Date(Date.now() - 3_600_000).toISOString();
    await publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id, occurredAt: registeredAt }));
    await waitFor(async () => (await item(id))?.receivedAt.toISOString() === registeredAt, 'registration time applied');
    expect((await item(id))!.status).toBe('REVIEWED');

    await settled();
    const termsBefore = h.server.consumers.stats.studies.term;
    // A review payload is not a study-created payload, and the subject decides which contract applies.
    await h.js.publish(h.topology.subjects.studyReviewed(hospital), new TextEncoder().encode(JSON.stringify(studyCreated({ hospitalId: hospital, studyId: studyId() }))));
    await waitFor(() => h.server.consumers.stats.studies.term === termsBefore + 1, 'malformed review terminated');
  });
});
