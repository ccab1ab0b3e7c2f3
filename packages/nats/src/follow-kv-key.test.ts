import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createLogger } from '@triage/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, followKvBucket, followKvKey, type KV, type NatsConnection } from './index.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('followKvKey', () => {
  let nc: NatsConnection;
  let kv: KV;
  const bucket = `follow_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    nc = await connectNats({ url: NATS_URL, name: 'follow-kv-key-test' });
    kv = await new Kvm(nc).create(bucket);
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  });

  const waitFor = async (check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('sees the current value and each change once, and keeps up after the server drops its watch', async () => {
    await kv.put('key', 'one');
    const seen: string[] = [];
    const follower = await followKvKey(
      kv,
      'key',
      (entry) => seen.push(`${entry.operation}:${entry.string()}`),
      {
        log: createLogger({ service: 'test', level: 'silent' }),
        pollMs: 200,
      },
    );
    try {
      await waitFor(() => seen.length === 1, 5_000);
      await kv.put('key', 'two');
      await waitFor(() => seen.length === 2, 5_000);

      // A KV watch ends silently when its consumer is gone; the follower still sees the next change.
      const jsm = await jetstreamManager(nc);
      for (const consumer of await jsm.consumers.list(`KV_${bucket}`).next())
        await jsm.consumers.delete(`KV_${bucket}`, consumer.name);
      await kv.put('key', 'three');
      await waitFor(() => seen.length === 3, 5_000);
      await kv.delete('key');
      await waitFor(() => seen.length === 4, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen).toEqual(['PUT:one', 'PUT:two', 'PUT:three', 'DEL:']);
    } finally {
      follower.stop();
    }
  });
});

describe('followKvBucket', () => {
  let nc: NatsConnection;
  let kv: KV;
  const bucket = `followall_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    nc = await connectNats({ url: NATS_URL, name: 'follow-kv-bucket-test' });
    kv = await new Kvm(nc).create(bucket);
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  });

  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitFor = async (check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await settle(20);
    }
  };

  it('reports changes to any key but not the values already there, and keeps up after the server drops its watch', async () => {
    await kv.put('a', 'present before');
    let changes = 0;
    const follower = await followKvBucket(kv, () => changes++, {
      log: createLogger({ service: 'test', level: 'silent' }),
      pollMs: 200,
    });
    try {
      await settle(500);
      expect(changes).toBe(0);
      await kv.put('a', 'changed');
      await waitFor(() => changes === 1, 5_000);
      await kv.put('b', 'new key');
      await waitFor(() => changes === 2, 5_000);

      const jsm = await jetstreamManager(nc);
      for (const consumer of await jsm.consumers.list(`KV_${bucket}`).next())
        await jsm.consumers.delete(`KV_${bucket}`, consumer.name);
      await kv.delete('a');
      await waitFor(() => changes === 3, 5_000);
      await kv.put('b', 'again');
      await waitFor(() => changes === 4, 5_000);
      await settle(500);
      expect(changes).toBe(4);
    } finally {
      follower.stop();
    }
  });
});
