import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createLogger } from '@triage/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, followKvBucket, followKvKey, type KV, type NatsConnection } from './index.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const options = { log: createLogger({ service: 'test', level: 'silent' }), pollMs: 200 };

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await settle(20);
  }
};

describe('following KV keys and buckets', () => {
  let nc: NatsConnection;
  const buckets: string[] = [];

  beforeAll(async () => {
    nc = await connectNats({ url: NATS_URL, name: 'follow-kv-test' });
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    for (const bucket of buckets) await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  });

  const newBucket = async (): Promise<KV> => {
    const bucket = `follow_${randomBytes(6).toString('hex')}`;
    buckets.push(bucket);
    return new Kvm(nc).create(bucket);
  };
  /** A KV watch ends silently when its consumer is gone, as when the server drops it under load. */
  const dropWatches = async (kv: KV) => {
    const stream = `KV_${(await kv.status()).bucket}`;
    const jsm = await jetstreamManager(nc);
    for (const consumer of await jsm.consumers.list(stream).next())
      await jsm.consumers.delete(stream, consumer.name);
  };

  it('followKvKey sees the current value and each change once, and keeps up after the server drops its watch', async () => {
    const kv = await newBucket();
    await kv.put('key', 'one');
    const seen: string[] = [];
    const follower = await followKvKey(
      kv,
      'key',
      (entry) => seen.push(`${entry.operation}:${entry.string()}`),
      options,
    );
    try {
      await waitFor(() => seen.length === 1);
      await kv.put('key', 'two');
      await waitFor(() => seen.length === 2);
      await dropWatches(kv);
      await kv.put('key', 'three');
      await waitFor(() => seen.length === 3);
      await kv.delete('key');
      await waitFor(() => seen.length === 4);
      await settle(500);
      expect(seen).toEqual(['PUT:one', 'PUT:two', 'PUT:three', 'DEL:']);
    } finally {
      follower.stop();
    }
  });

  it('followKvBucket reports changes to any key but not the values already there, and keeps up after the server drops its watch', async () => {
    const kv = await newBucket();
    await kv.put('a', 'present before');
    let changes = 0;
    const follower = await followKvBucket(kv, () => changes++, options);
    try {
      await settle(500);
      expect(changes).toBe(0);
      await kv.put('a', 'changed');
      await waitFor(() => changes === 1);
      await kv.put('b', 'new key');
      await waitFor(() => changes === 2);
      await dropWatches(kv);
      await kv.delete('a');
      await waitFor(() => changes === 3);
      await kv.put('b', 'again');
      await waitFor(() => changes === 4);
      await settle(500);
      expect(changes).toBe(4);
    } finally {
      follower.stop();
    }
  });
});
