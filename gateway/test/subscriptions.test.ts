import { jetstream } from '@nats-io/jetstream';
import {
  encodeEvent,
  messageIds,
  PredictionCreatedV1,
  StudyReviewedV1,
  TriageUpdatedV1,
} from '@triage/contracts';
import { TokenIssuer } from '@triage/subgraph-directory';
import { eventually, tamperToken } from '@triage/testing';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/server.js';
import { FEED, FeedClient, wsUrl, type FeedEvent } from './support/feed-client.js';
import { metricValue, scrape } from './support/metrics.js';
import { Platform } from './support/platform.js';
import { createPatientWithStudy } from './support/seed.js';

const SMALL_FEED = /* GraphQL */ `
  subscription Small {
    triageFeed {
      cursor
      item {
        id
        hospitalId
        status
        risk
        study {
          id
          patient {
            name
          }
        }
      }
    }
  }
`;
const STUDY_UPDATED = /* GraphQL */ `
  subscription One($hospitalId: ID!, $id: ID!) {
    studyUpdated(hospitalId: $hospitalId, id: $id) {
      cursor
      item {
        id
        status
        risk
        study {
          patient {
            name
          }
        }
      }
    }
  }
`;

type Seeded = Awaited<ReturnType<typeof createPatientWithStudy>>;

describe('live triage subscriptions through the gateway', () => {
  let platform: Platform;
  const tokens: Record<'stMarys' | 'general' | 'both' | 'techStMarys' | 'intStMarys' | 'intGeneral', string> =
    {} as never;
  const clients: FeedClient[] = [];
  const open = (token: string | null, gateway?: Gateway, field?: string) => {
    const client = new FeedClient(gateway?.url() ?? platform.gatewayUrl, token, field);
    clients.push(client);
    return client;
  };
  const subscriptionsOf = (gateway: Gateway = platform.gateway) => gateway.subscriptions()!.size;
  const waitForSubscriptions = (count: number, gateway: Gateway = platform.gateway) =>
    eventually(
      async () => (subscriptionsOf(gateway) === count ? true : undefined),
      15_000,
      `${count} open subscriptions`,
    );
  const ids = (events: FeedEvent[]) => events.map((e) => e.item.id.split(':')[1]!);
  const publishPrediction = (study: Seeded, risk: number) =>
    jetstream(platform.nc).publish(
      platform.topology.subjects.predictionCreated(study.hospitalId),
      encodeEvent(PredictionCreatedV1, {
        version: 1,
        hospitalId: study.hospitalId,
        studyId: study.studyId,
        modelVersion: 'v1',
        risk,
        label: risk >= 0.5 ? 'pneumonia' : 'normal',
        threshold: 0.5,
        shadow: false,
        timings: { queueMs: 1, preprocessMs: 1, inferenceMs: 1 },
        occurredAt: new Date().toISOString(),
      }),
    );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 750));

  beforeAll(async () => {
    platform = await Platform.start();
    tokens.stMarys = await platform.login('doctor.st-marys@demo.local');
    tokens.general = await platform.login('doctor.general@demo.local');
    tokens.both = await platform.login('doctor@demo.local');
    tokens.techStMarys = await platform.login('tech.st-marys@demo.local');
    tokens.intStMarys = await platform.integrationToken('st-marys');
    tokens.intGeneral = await platform.integrationToken('general');
  }, 120_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await waitForSubscriptions(0);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('delivers each hospital’s studies to exactly its doctors, enriched with patient names', async () => {
    const stMarys = open(tokens.stMarys).subscribe(FEED);
    const general = open(tokens.general).subscribe(FEED);
    const both = open(tokens.both).subscribe(FEED);
    await waitForSubscriptions(3);

    const created: Seeded[] = [];
    for (let i = 0; i < 2; i++) {
      created.push(await createPatientWithStudy(platform, 'st-marys', tokens.intStMarys, `Mary Feed ${i}`));
      created.push(await createPatientWithStudy(platform, 'general', tokens.intGeneral, `General Feed ${i}`));
    }
    const of = (slug: string) => created.filter((c) => c.hospitalId === platform.hospital(slug).id);
    await both.until(() => both.events.length === 4, 'four events for the doctor of both hospitals');
    await stMarys.until(() => stMarys.events.length === 2, "St. Mary's events");
    await general.until(() => general.events.length === 2, 'General events');
    await settle();

    expect(ids(stMarys.events)).toEqual(of('st-marys').map((c) => c.studyId));
    expect(ids(general.events)).toEqual(of('general').map((c) => c.studyId));
    expect(ids(both.events)).toEqual(created.map((c) => c.studyId));
    for (const event of both.events) {
      const study = created.find((c) => c.studyId === event.item.study!.id)!;
      expect(event.item).toMatchObject({
        hospitalId: study.hospitalId,
        status: 'AWAITING_IMAGE',
        risk: null,
        hospital: { name: study.hospitalId === platform.hospital('general').id ? 'General' : "St. Mary's" },
        study: { accessionNumber: study.accessionNumber, patient: { name: study.name } },
      });
    }
    const cursors = both.events.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(4);
    // Every subscriber sees an event under the same cursor.
    expect(stMarys.events.map((e) => e.cursor)).toEqual(
      both.events.filter((e) => e.item.hospitalId === created[0]!.hospitalId).map((e) => e.cursor),
    );

    // A prediction updates the item: the doctors of that hospital see the risk arrive.
    await publishPrediction(created[0]!, 0.83);
    await stMarys.until(() => stMarys.events.length === 3, 'the prediction update');
    await both.until(() => both.events.length === 5, 'the prediction update for the doctor of both');
    await settle();
    expect(stMarys.events[2]!.item).toMatchObject({
      status: 'WAITING',
      risk: 0.83,
      study: { patient: { name: 'Mary Feed 0' } },
    });
    expect(general.events).toHaveLength(2);
    for (const client of [stMarys, general, both]) expect(client.errors).toEqual([]);
  });

  it('filters by minimum risk, follows a single study, and shows a recorded finding as REVIEWED', async () => {
    const x = await createPatientWithStudy(platform, 'general', tokens.intGeneral, 'Xavier Risk');
    const y = await createPatientWithStudy(platform, 'general', tokens.intGeneral, 'Yvonne Risk');
    const risky = open(tokens.both).subscribe(FEED, { minRisk: 0.5 });
    const followX = open(tokens.general, undefined, 'studyUpdated').subscribe(STUDY_UPDATED, {
      hospitalId: x.hospitalId,
      id: x.studyId,
    });
    await waitForSubscriptions(2);

    await publishPrediction(y, 0.2);
    await publishPrediction(x, 0.91);
    await risky.until(() => risky.events.length === 1, 'the risky study');
    await followX.until(() => followX.events.length === 1, 'the followed study');
    await settle();
    expect(ids(risky.events)).toEqual([x.studyId]);
    expect(risky.events[0]!.item).toMatchObject({
      risk: 0.91,
      status: 'WAITING',
      study: { patient: { name: 'Xavier Risk' } },
    });
    expect(followX.events).toHaveLength(1);
    expect(followX.events[0]!.item).toMatchObject({
      id: `${x.hospitalId}:${x.studyId}`,
      status: 'WAITING',
      risk: 0.91,
      study: { patient: { name: 'Xavier Risk' } },
    });

    // The hospital announces the doctor's finding; triage takes the study off the queue.
    const reviewedAt = new Date().toISOString();
    const reviewId = `rv-${x.studyId}`;
    await jetstream(platform.nc).publish(
      platform.topology.subjects.studyReviewed(x.hospitalId),
      encodeEvent(StudyReviewedV1, {
        version: 1,
        hospitalId: x.hospitalId,
        studyId: x.studyId,
        reviewId,
        finding: 'pneumonia',
        reviewedAt,
        occurredAt: reviewedAt,
      }),
      { msgID: messageIds.studyReviewed(reviewId) },
    );
    await followX.until(() => followX.events.length === 2, 'the REVIEWED update');
    expect(followX.events[1]!.item).toMatchObject({ status: 'REVIEWED', risk: 0.91 });
    expect(Number(followX.events[1]!.cursor)).toBeGreaterThan(Number(followX.events[0]!.cursor));
    await risky.until(() => risky.events.length === 2, 'the REVIEWED update in the risk feed');
    expect(risky.events[1]!.item.status).toBe('REVIEWED');
  });

  it('never sends a doctor the events of a hospital they do not belong to, even when they ask for it by id', async () => {
    const stMarysId = platform.hospital('st-marys').id;
    const byId = open(tokens.general).subscribe(FEED, { hospitalIds: [stMarysId] });
    const mixed = open(tokens.general).subscribe(FEED, {
      hospitalIds: [platform.hospital('general').id, stMarysId],
    });
    const someStudy = await createPatientWithStudy(
      platform,
      'st-marys',
      tokens.intStMarys,
      'Private Patient',
    );
    const oneStudy = open(tokens.general, undefined, 'studyUpdated').subscribe(STUDY_UPDATED, {
      hospitalId: stMarysId,
      id: someStudy.studyId,
    });
    const own = open(tokens.general).subscribe(SMALL_FEED);
    for (const refused of [byId, mixed, oneStudy]) {
      await refused.until(() => refused.errors.length > 0, 'the refusal');
      expect((refused.errors[0] as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
        'FORBIDDEN',
      );
    }
    await waitForSubscriptions(1);

    await publishPrediction(someStudy, 0.99);
    await createPatientWithStudy(platform, 'st-marys', tokens.intStMarys, 'Another Private Patient');
    const visible = await createPatientWithStudy(platform, 'general', tokens.intGeneral, 'Visible Patient');
    await own.until(() => own.events.length === 1, 'the own hospital’s event');
    await settle();
    expect(ids(own.events)).toEqual([visible.studyId]);
    for (const client of [byId, mixed, oneStudy, own]) {
      expect(JSON.stringify(client.results)).not.toContain('Private Patient');
      expect(
        client.results
          .flatMap((r) => Object.values(r.data ?? {}))
          .filter((e) => (e as FeedEvent).item?.hospitalId === stMarysId),
      ).toEqual([]);
    }
  });

  it('replays what a client missed while disconnected: 50 studies, each exactly once', async () => {
    const first = open(tokens.stMarys).subscribe(FEED);
    await waitForSubscriptions(1);
    const created: Seeded[] = [];
    const creating = (async () => {
      for (let i = 0; i < 50; i++)
        created.push(await createPatientWithStudy(platform, 'st-marys', tokens.intStMarys, `Resume ${i}`));
    })();
    await first.until(() => first.events.length >= 10, 'the first events');
    await first.dispose();
    const cursor = first.lastCursor()!;
    const seenBefore = [...first.events];
    // Reconnect while studies are still being created, so replay and live events overlap.
    await eventually(
      async () => (created.length >= 25 ? true : undefined),
      60_000,
      'more studies while disconnected',
    );
    expect(created.length).toBeLessThan(50);
    const second = open(tokens.stMarys).subscribe(FEED, { after: cursor });
    await creating;
    await second.until(() => seenBefore.length + second.events.length >= 50, 'all 50 studies', 60_000);
    await settle();

    const received = [...ids(seenBefore), ...ids(second.events)];
    // Each study exactly once. The feed is ordered by its cursor (the triage stream), which need not be
    // the order the studies were created in: triage projects different studies concurrently.
    expect(received).toHaveLength(50);
    expect([...received].sort()).toEqual(created.map((c) => c.studyId).sort());
    const resumed = second.events.map((e) => Number(e.cursor));
    expect(resumed[0]).toBeGreaterThan(Number(cursor));
    expect(resumed).toEqual([...resumed].sort((a, b) => a - b));
    const nameOf = new Map(created.map((c) => [c.studyId, c.name]));
    expect(second.events.every((e) => e.item.study!.patient!.name === nameOf.get(e.item.id.split(':')[1]!))).toBe(true);
  }, 120_000);

  it('costs one federated fetch per event for each distinct selection and scope, with 200 subscribers', async () => {
    const principals = [tokens.both, tokens.stMarys, tokens.techStMarys];
    const selections = [FEED, SMALL_FEED];
    const subscribers = Array.from({ length: 200 }, (_, i) => ({
      token: principals[i % 3]!,
      group: i % 6,
      client: open(principals[i % 3]!).subscribe(selections[Math.floor(i / 3) % 2]!),
    }));
    await waitForSubscriptions(200);
    const before = await scrape(platform.gatewayUrl);

    const study = await createPatientWithStudy(platform, 'st-marys', tokens.intStMarys, 'Shared Fetch');
    await Promise.all(
      subscribers.map(({ client }) => client.until(() => client.events.length === 1, 'the shared event')),
    );
    const afterStMarys = await scrape(platform.gatewayUrl);
    // 3 scopes (both hospitals / St. Mary's doctor / St. Mary's technician) x 2 selections.
    expect(
      metricValue(afterStMarys, 'gateway_subscription_fetches_total') -
        metricValue(before, 'gateway_subscription_fetches_total'),
    ).toBe(6);
    expect(
      metricValue(afterStMarys, 'gateway_subscription_fetches_per_event_sum') -
        metricValue(before, 'gateway_subscription_fetches_per_event_sum'),
    ).toBe(6);
    expect(
      metricValue(afterStMarys, 'gateway_subscription_fetches_per_event_count') -
        metricValue(before, 'gateway_subscription_fetches_per_event_count'),
    ).toBe(1);
    for (const { client } of subscribers) {
      expect(client.events[0]!.item).toMatchObject({
        status: 'AWAITING_IMAGE',
        study: { id: study.studyId, patient: { name: 'Shared Fetch' } },
      });
    }

    // A General study concerns only the doctor of both hospitals: 2 groups, 2 fetches.
    await createPatientWithStudy(platform, 'general', tokens.intGeneral, 'General Only');
    const bothSubscribers = subscribers.filter((s) => s.token === tokens.both);
    await Promise.all(
      bothSubscribers.map(({ client }) =>
        client.until(() => client.events.length === 2, 'the General event'),
      ),
    );
    await settle();
    const afterGeneral = await scrape(platform.gatewayUrl);
    expect(
      metricValue(afterGeneral, 'gateway_subscription_fetches_total') -
        metricValue(afterStMarys, 'gateway_subscription_fetches_total'),
    ).toBe(2);
    expect(
      subscribers.filter((s) => s.token !== tokens.both).every((s) => s.client.events.length === 1),
    ).toBe(true);
    expect(metricValue(afterGeneral, 'gateway_subscriptions_active')).toBe(200);
  }, 120_000);

  it('ends the subscription when the token expires, with a clear reason', async () => {
    const payload = JSON.parse(Buffer.from(tokens.stMarys.split('.')[1]!, 'base64url').toString());
    const shortLived = new TokenIssuer(platform.directory.keys, {
      ...platform.directory.tokens.settings,
      ttlSeconds: 3,
    });
    const { token } = await shortLived.issue({
      sub: payload.sub,
      kind: 'user',
      roles: [],
      memberships: payload.memberships,
    });
    const client = open(token).subscribe(FEED);
    await waitForSubscriptions(1);
    const started = Date.now();
    await client.until(() => !!client.closed, 'the close', 10_000);
    expect(client.closed).toEqual({ code: 4401, reason: 'Token expired' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitForSubscriptions(0);

    // Refused at the door: no token, a tampered one, an expired one.
    const expired = (
      await new TokenIssuer(platform.directory.keys, {
        ...platform.directory.tokens.settings,
        ttlSeconds: -60,
      }).issue({ sub: payload.sub, kind: 'user', roles: [], memberships: payload.memberships })
    ).token;
    const tampered = tamperToken(tokens.general, {
      memberships: [{ hospitalId: platform.hospital('st-marys').id, role: 'doctor' }],
    });
    for (const bad of [null, tampered, expired]) {
      const refused = open(bad).subscribe(FEED);
      await refused.until(() => !!refused.closed, 'the refusal');
      expect(refused.closed!.code).toBe(4401);
      expect(refused.events).toEqual([]);
    }
    expect(open(expired).closed).toBeUndefined();
  });

  it('closes a slow consumer with a reason, without holding back anyone else', async () => {
    const replica = await platform.startGatewayReplica({ SUBSCRIPTION_BUFFER_LIMIT: '20' });
    const study = await createPatientWithStudy(platform, 'st-marys', tokens.intStMarys, 'Slow Reader');
    const fast = open(tokens.stMarys, replica).subscribe(SMALL_FEED);

    // A raw graphql-ws client that stops reading its socket, with heavy payloads to fill the pipes.
    const heavy = `subscription { triageFeed { cursor item { ${Array.from({ length: 300 }, (_, i) => `f${i}: id`).join(' ')} } } }`;
    const slow = new WebSocket(wsUrl(replica.url()), 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise<void>((resolve) => slow.on('open', () => resolve()));
    slow.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens.stMarys}` } }),
    );
    await new Promise<void>((resolve) => slow.once('message', () => resolve()));
    for (let i = 0; i < 10; i++)
      slow.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: heavy } }));
    await waitForSubscriptions(11, replica);
    slow.pause();

    // The reader wakes up as soon as the gateway gives up on it, to read the close frame behind the backlog.
    const cutOff = eventually(
      async () =>
        metricValue(await scrape(replica.url()), 'gateway_subscription_connections_closed_total', {
          reason: 'slow_consumer',
        }) === 1
          ? true
          : undefined,
      60_000,
      'the slow consumer to be cut off',
    ).then(() => slow.resume());
    const js = jetstream(platform.nc);
    const updates = 150;
    for (let i = 0; i < updates; i++) {
      await js.publish(
        platform.topology.subjects.triageUpdated(study.hospitalId),
        encodeEvent(TriageUpdatedV1, {
          version: 1,
          hospitalId: study.hospitalId,
          studyId: study.studyId,
          status: 'AWAITING_IMAGE',
          priority: 0,
          risk: null,
          modelVersion: null,
          occurredAt: new Date().toISOString(),
        }),
      );
    }
    await cutOff;
    expect(subscriptionsOf(replica)).toBe(1);
    expect(await closed).toEqual({ code: 4008, reason: 'Slow consumer: too many undelivered events' });

    await fast.until(() => fast.events.length >= updates, 'every update for the fast subscriber', 30_000);
    expect(fast.events.every((e) => e.item.study!.patient!.name === 'Slow Reader')).toBe(true);
    expect(fast.errors).toEqual([]);
    expect(fast.closed).toBeUndefined();
  }, 90_000);

  it('serves several gateway replicas, each consuming the stream on its own', async () => {
    const replica = await platform.startGatewayReplica();
    const onMain = open(tokens.both).subscribe(SMALL_FEED);
    const onReplica = open(tokens.both, replica).subscribe(SMALL_FEED);
    await waitForSubscriptions(1);
    await waitForSubscriptions(1, replica);
    const study = await createPatientWithStudy(platform, 'general', tokens.intGeneral, 'Two Replicas');
    await onMain.until(() => onMain.events.length === 1, 'the event on the first replica');
    await onReplica.until(() => onReplica.events.length === 1, 'the event on the second replica');
    expect(onMain.events[0]).toEqual(onReplica.events[0]);
    expect(onMain.events[0]!.item.study).toEqual({ id: study.studyId, patient: { name: 'Two Replicas' } });
    await onReplica.dispose();
    await waitForSubscriptions(0, replica);
    await replica.stop();
  });

  it('validates subscriptions against the supergraph schema with the query limits, and serves queries on the same socket', async () => {
    const unknown = open(tokens.both).subscribe('subscription { triageFeed { cursor item { nonsense } } }');
    const tooDeep = open(tokens.both).subscribe(
      'subscription { triageFeed { item { study { patient { studies { edges { node { patient { studies { edges { node { id } } } } } } } } } } } }',
    );
    const notOurs = open(tokens.both).subscribe(
      'subscription { triageFeed { cursor } studyUpdated(hospitalId: "x", id: "y") { cursor } }',
    );
    const badCursor = open(tokens.both).subscribe(FEED, { after: 'yesterday' });
    await Promise.all(
      [unknown, tooDeep, notOurs, badCursor].map((c) =>
        c.until(() => c.errors.length > 0, 'the validation error'),
      ),
    );
    const message = (c: FeedClient) => (c.errors[0] as { message: string }[])[0]!.message;
    expect(message(unknown)).toMatch(/Cannot query field "nonsense" on type "WorklistItem"/);
    expect(message(tooDeep)).toMatch(/^Query depth \d+ exceeds the limit of 10$/);
    expect(message(notOurs)).toMatch(/must select only one top level field/);
    expect(message(badCursor)).toMatch(/Invalid cursor/);

    const overHttp = await platform.query('subscription { triageFeed { cursor } }', {}, tokens.both);
    expect(overHttp.status).toBe(400);
    expect(overHttp.errors?.[0]?.message).toMatch(/served over WebSocket/);

    const sameSocket = open(tokens.both);
    const answer = await sameSocket.query<{ worklist: { totalCount: number } }>(
      '{ worklist { totalCount } }',
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.worklist.totalCount).toBeGreaterThan(0);
  });
});
