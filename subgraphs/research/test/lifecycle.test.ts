import { gql } from '@triage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabeledExample } from '../src/labeled-example/labeled-example.entity.js';
import { createServer } from '../src/server.js';
import { hospitalId, labeledExample, publishLabeled, startHarness, waitFor, type Harness } from './harness.js';

describe('lifecycle', () => {
  let h: Harness;
  const hospital = hospitalId('life');

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('is ready, drains on stop and loses no example across a restart', async () => {
    expect((await fetch(`${h.baseUrl}/readyz`)).status).toBe(200);
    const events = await Promise.all(Array.from({ length: 60 }, (_, i) => labeledExample(h, { hospitalId: hospital, finding: i % 2 ? 'normal' : 'pneumonia' })));
    for (const event of events) await publishLabeled(h, event);
    await waitFor(() => h.server.consumers.stats.labeled.ack > 0, 'processing started');
    await h.server.stop();

    h.server = await createServer(h.config, h.deps);
    await h.server.start();
    await waitFor(
      async () => (await h.server.orm.em.fork().count(LabeledExample, { hospitalId: hospital })) === events.length,
      'every example after the restart',
      10_000,
    );
    expect((await fetch(`${h.server.url()}/readyz`)).status).toBe(200);
    const summary = await gql<{ researchSummary: { byHospital: { hospitalId: string; count: number }[] } }>(
      `${h.server.url()}/graphql`,
      '{ researchSummary { byHospital { hospitalId count } } }',
      {},
      h.researcher,
    );
    expect(summary.data?.researchSummary.byHospital).toContainEqual({ hospitalId: hospital, count: events.length });
  });
});
