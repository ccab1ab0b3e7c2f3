import { randomBytes } from 'node:crypto';
import { decodeEvent, messageIds, StudyCreatedV1 } from '@triage/contracts';
import { ensureStreams, jetstreamManager } from '@triage/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxEvent } from '../src/outbox/outbox-event.entity.js';
import { createOutboxRelay } from '../src/outbox/outbox.relay.js';
import { startHospital, type Hospital } from './harness.js';

describe('StudyCreated events', () => {
  let h: Hospital;
  beforeAll(async () => {
    // The background relay is off: each test drives it, so what it asserts is what it caused.
    h = await startHospital({ outboxIntervalMs: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const streamMessages = async () => (await (await jetstreamManager(h.nc)).streams.info(h.topology.streams.studies)).state.messages;
  const lastEvent = async () =>
    (await jetstreamManager(h.nc)).streams.getMessage(h.topology.streams.studies, {
      last_by_subj: h.topology.subjects.studyCreated(h.id),
    });
  const payloadFor = (studyId: string): StudyCreatedV1 =>
    StudyCreatedV1.parse({
      version: 1,
      hospitalId: h.id,
      studyId,
      modality: 'DX',
      bodyPart: 'CHEST',
      acquiredAt: new Date().toISOString(),
      image: null,
      occurredAt: new Date().toISOString(),
    });
  const outboxRow = (msgId: string) => h.server.orm.em.fork().findOneOrFail(OutboxEvent, { msgId });

  it('createStudy puts exactly one StudyCreatedV1 without patient data on the stream', async () => {
    const patient = await h.seed.patient({ mrn: 'MRN-EVENT-77', name: 'Hedy Lamarr', birthDate: '1914-11-09' });
    const before = await streamMessages();
    const study = await h.seed.study(patient.id, { accessionNumber: 'ACC-EVT', modality: 'CR', acquiredAt: '2024-06-01T12:00:00.000Z' });

    expect(await streamMessages()).toBe(before + 1);
    const msg = (await lastEvent())!;
    expect(msg.subject).toBe(h.topology.subjects.studyCreated(h.id));
    expect(msg.header.get('Nats-Msg-Id')).toBe(messageIds.studyCreated(study.id));
    const event = decodeEvent(StudyCreatedV1, msg.data);
    expect(event).toMatchObject({
      version: 1,
      hospitalId: h.id,
      studyId: study.id,
      modality: 'CR',
      bodyPart: 'CHEST',
      acquiredAt: '2024-06-01T12:00:00.000Z',
      image: null,
    });
    const raw = msg.string();
    for (const phi of ['Hedy', 'Lamarr', 'MRN-EVENT-77', '1914-11-09', patient.id]) expect(raw).not.toContain(phi);
    expect(Object.keys(JSON.parse(raw)).sort()).toEqual(
      ['acquiredAt', 'bodyPart', 'hospitalId', 'image', 'modality', 'occurredAt', 'studyId', 'version'].sort(),
    );
    await expect.poll(async () => (await outboxRow(messageIds.studyCreated(study.id))).publishedAt).toBeInstanceOf(Date); // marked in a batch

    // Republishing the same row (a crash between publish and stamp) is dropped by JetStream.
    await h.server.orm.em.fork().nativeUpdate(OutboxEvent, { msgId: messageIds.studyCreated(study.id) }, { publishedAt: null });
    await h.server.outbox().publishPending();
    expect(await streamMessages()).toBe(before + 1);
  });

  it('the relay publishes an event whose first publish failed', async () => {
    const patient = await h.seed.patient();
    const study = await h.seed.study(patient.id);
    // As if the process died after the commit but before the publish: the row waits, unpublished.
    const em = h.server.orm.em.fork();
    const msgId = `test-unpublished:${study.id}`;
    em.create(OutboxEvent, {
      subject: h.topology.subjects.studyCreated(h.id),
      msgId,
      payload: payloadFor(study.id),
      createdAt: new Date(Date.now() - 60_000),
    });
    await em.flush();
    const before = await streamMessages();

    expect(await h.server.outbox().publishPending()).toBe(1);

    expect(await streamMessages()).toBe(before + 1);
    const msg = (await lastEvent())!;
    expect(msg.header.get('Nats-Msg-Id')).toBe(msgId);
    expect(decodeEvent(StudyCreatedV1, msg.data).studyId).toBe(study.id);
    await expect.poll(async () => (await outboxRow(msgId)).publishedAt).toBeInstanceOf(Date); // marked in a batch
    expect(await h.server.outbox().publishPending()).toBe(0);
  });

  it('keeps the study and publishes its event later when JetStream is unavailable at creation', async () => {
    const jsm = await jetstreamManager(h.nc);
    await jsm.streams.delete(h.topology.streams.studies);
    try {
      const patient = await h.seed.patient();
      const study = await h.seed.study(patient.id, { accessionNumber: 'ACC-OUTAGE' });
      expect(study.accessionNumber).toBe('ACC-OUTAGE');
      expect((await outboxRow(messageIds.studyCreated(study.id))).publishedAt).toBeNull();
      expect(await h.server.outbox().publishPending()).toBe(0);

      await ensureStreams(h.nc, h.topology);
      expect(await h.server.outbox().publishPending()).toBe(1);
      const msg = (await lastEvent())!;
      expect(decodeEvent(StudyCreatedV1, msg.data).studyId).toBe(study.id);
      await expect.poll(async () => (await outboxRow(messageIds.studyCreated(study.id))).publishedAt).toBeInstanceOf(Date); // marked in a batch
    } finally {
      await ensureStreams(h.nc, h.topology);
    }
  });

  it('an event the relay publishes after an outage still continues the trace of the request that staged it', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const patient = await h.seed.patient();
    const jsm = await jetstreamManager(h.nc);
    await jsm.streams.delete(h.topology.streams.studies);
    let studyId: string;
    try {
      const res = await fetch(h.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${h.tokens.integration}`,
          traceparent: `00-${traceId}-${callerSpan}-01`,
        },
        body: JSON.stringify({
          query: 'mutation ($h: ID!, $input: CreateStudyInput!) { createStudy(hospitalId: $h, input: $input) { id } }',
          variables: { h: h.id, input: { patientId: patient.id, accessionNumber: `ACC-TRACE-${callerSpan}` } },
        }),
      });
      studyId = ((await res.json()) as { data: { createStudy: { id: string } } }).data.createStudy.id;
      const row = await outboxRow(messageIds.studyCreated(studyId));
      expect(row.publishedAt).toBeNull();
      expect(row.traceContext?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    } finally {
      await ensureStreams(h.nc, h.topology);
    }
    expect(await h.server.outbox().publishPending()).toBe(1);
    const msg = (await lastEvent())!;
    expect(decodeEvent(StudyCreatedV1, msg.data).studyId).toBe(studyId);
    const [, publishedTrace, publishedParent] = msg.header.get('traceparent').split('-');
    expect(publishedTrace).toBe(traceId);
    // The parent is the relay's publish span, not the caller's span.
    expect(publishedParent).toMatch(/^[0-9a-f]{16}$/);
    expect(publishedParent).not.toBe(callerSpan);
  });

  it('the background relay retries about every interval', async () => {
    const em = h.server.orm.em.fork();
    const msgId = `test-background:${crypto.randomUUID()}`;
    em.create(OutboxEvent, { subject: h.topology.subjects.studyCreated(h.id), msgId, payload: payloadFor(crypto.randomUUID()) });
    await em.flush();

    const relay = createOutboxRelay({ orm: h.server.orm, nc: h.nc, log: h.server.log, intervalMs: 100 });
    relay.start();
    try {
      await expect.poll(async () => (await outboxRow(msgId)).publishedAt, { timeout: 5_000, interval: 50 }).toBeInstanceOf(Date);
    } finally {
      await relay.stop();
    }
    expect((await lastEvent())!.header.get('Nats-Msg-Id')).toBe(msgId);
  });
});
