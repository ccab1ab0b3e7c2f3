import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server.js';
import { WorklistItem } from '../src/worklist-item/worklist-item.entity.js';
import { hospitalId, publishStudy, startHarness, studyCreated, studyId, waitFor, type Harness } from './harness.js';

describe('lifecycle', () => {
  let h: Harness;
  const hospital = hospitalId('life');

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('drains on stop and loses no study across a restart', async () => {
    const ids = Array.from({ length: 150 }, () => studyId());
    // Published all at once, so the consumer cannot keep pace with the publisher and there is
    // still work in flight when the server stops, however fast or slow this machine is.
    await Promise.all(ids.map((id) => publishStudy(h, studyCreated({ hospitalId: hospital, studyId: id }))));
    await waitFor(() => h.server.consumers.stats.studies.ack > 0, 'processing started');
    await h.server.stop();

    const handledBeforeStop = h.server.consumers.stats.studies.ack;
    expect(handledBeforeStop).toBeLessThan(ids.length);

    h.server = await createServer(h.config);
    await h.server.start();
    // Buffered messages were handed back on stop, so the new instance gets them at once
    // instead of after the 30 s ack wait.
    await waitFor(
      async () => (await h.server.orm.em.fork().count(WorklistItem, { hospitalId: hospital })) === ids.length,
      'every study after the restart',
      10_000,
    );
    const ready = await fetch(`${h.server.url()}/readyz`);
    expect(ready.status).toBe(200);
  });
});
