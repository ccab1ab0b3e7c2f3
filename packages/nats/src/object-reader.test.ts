import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection, type ObjectStore } from './index.js';
import { ObjectIntegrityError, ObjectReader } from './object-reader.js';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

describe('ObjectReader: whole objects by direct get, as the Object Store library reads them', () => {
  const bucket = `objreader_${process.pid}_${Date.now()}`;
  let nc: NatsConnection;
  let store: ObjectStore;
  let reader: ObjectReader;

  beforeAll(async () => {
    nc = await connectNats({ url: NATS_URL, name: 'object-reader-test' });
    store = await new Objm(nc).create(bucket);
    reader = new ObjectReader(nc);
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(`OBJ_${bucket}`).catch(() => undefined);
    await nc?.close();
  });

  it('reads objects of one and many chunks and of every name length byte for byte', async () => {
    const objects = [
      { name: 'h/one-chunk.jpg', bytes: randomBytes(1000) },
      { name: 'h/three-chunks.dcm', bytes: randomBytes(300_000) },
      { name: 'ab', bytes: randomBytes(128 * 1024) }, // exactly one full chunk
      { name: 'abc', bytes: randomBytes(128 * 1024 + 1) },
      { name: 'a', bytes: randomBytes(5) },
    ];
    for (const o of objects) await store.putBlob({ name: o.name }, new Uint8Array(o.bytes));
    for (const o of objects) {
      const read = await reader.read(bucket, o.name);
      expect(read, o.name).not.toBeNull();
      expect(Buffer.from(read!).equals(o.bytes), o.name).toBe(true);
      expect(Buffer.from((await store.getBlob(o.name))!).equals(Buffer.from(read!))).toBe(true);
    }
  });

  it('reads an empty object as empty and a replaced object as its latest version', async () => {
    await store.putBlob({ name: 'empty' }, new Uint8Array(0));
    expect((await reader.read(bucket, 'empty'))?.length).toBe(0);
    await store.putBlob({ name: 'replaced' }, new Uint8Array([1, 2, 3]));
    await store.putBlob({ name: 'replaced' }, new Uint8Array([4, 5]));
    expect(Array.from((await reader.read(bucket, 'replaced'))!)).toEqual([4, 5]);
  });

  it('answers null for a missing or deleted object', async () => {
    expect(await reader.read(bucket, 'never-stored')).toBeNull();
    await store.putBlob({ name: 'deleted' }, new Uint8Array([9]));
    await store.delete('deleted');
    expect(await reader.read(bucket, 'deleted')).toBeNull();
  });

  it('refuses an object whose chunks do not match its recorded digest', async () => {
    await store.putBlob({ name: 'tampered' }, new Uint8Array(randomBytes(2000)));
    const info = await store.info('tampered');
    // Replace the stored chunk with different bytes of the same size under the same chunk subject.
    const jsm = await jetstreamManager(nc);
    const chunkSubject = `$O.${bucket}.C.${info!.nuid}`;
    const original = await jsm.direct.getMessage(`OBJ_${bucket}`, { seq: 1, next_by_subj: chunkSubject });
    await jsm.streams.deleteMessage(`OBJ_${bucket}`, original!.seq);
    await jetstream(nc).publish(chunkSubject, new Uint8Array(randomBytes(2000)));
    await expect(reader.read(bucket, 'tampered')).rejects.toBeInstanceOf(ObjectIntegrityError);
  });
});
