import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, KvWatchInclude, type KV, type KvEntry } from '@nats-io/kv';
import { Objm, setSha256Backend, type ObjectStore } from '@nats-io/obj';
import type { NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';

export type { NatsConnection, KV, KvEntry, ObjectStore };

// Object Store checksums every chunk it writes and reads with SHA-256. The library's default is a
// pure-JS hash (browser-safe) that costs milliseconds of main-thread time per X-ray; Node's crypto
// computes the same digest ~30x faster. The setting is process-wide and must precede any put/get.
setSha256Backend('native');
export { jetstream, jetstreamManager, nanos };

export interface NatsSettings {
  url: string;
  name: string;
  log?: Logger;
  /** How long to keep retrying the first connection (ms). */
  connectTimeoutMs?: number;
}

/** Connects with reconnects enabled and connection state logged (never message payloads). */
export async function connectNats({
  url,
  name,
  log,
  connectTimeoutMs = 10_000,
}: NatsSettings): Promise<NatsConnection> {
  const deadline = Date.now() + connectTimeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({
        servers: url.split(','),
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 2_000,
        // The client otherwise builds an Error (with a stack trace) up front for every request and
        // publish it might have to reject: measurable CPU on the per-study hot paths.
        noAsyncTraces: true,
      });
      if (log) void watchStatus(nc, log);
      return nc;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Cannot connect to NATS at ${url}: ${(lastError as Error)?.message ?? 'timeout'}`);
}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
      log.warn({ nats: status.type }, 'NATS connection status changed');
    }
  }
}

const DAY_NS = nanos(24 * 60 * 60 * 1000);

/** The streams of the platform. Idempotent: creates what is missing, updates what changed. */
export type StreamSpec = Partial<StreamConfig> & { name: string };

export function streamConfigs(t: NatsTopology): StreamSpec[] {
  const common = { duplicate_window: nanos(2 * 60 * 1000), num_replicas: 1 } as const;
  return [
    { name: t.streams.studies, subjects: [t.subjects.allStudies], max_age: 30 * DAY_NS, ...common },
    { name: t.streams.predictions, subjects: [t.subjects.allPredictions], max_age: 30 * DAY_NS, ...common },
    { name: t.streams.triage, subjects: [t.subjects.allTriage], max_age: 7 * DAY_NS, ...common },
    { name: t.streams.deadLetters, subjects: [t.subjects.allDeadLetters], max_age: 90 * DAY_NS, ...common },
    { name: t.streams.research, subjects: [t.subjects.allResearch], max_age: 365 * DAY_NS, ...common },
  ];
}

export async function ensureStreams(nc: NatsConnection, t: NatsTopology): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  for (const config of streamConfigs(t)) {
    const name = config.name;
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add(config);
    }
  }
  return jsm;
}

export function isNotFound(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  return /not found/i.test(message) || (error as { code?: number })?.code === 404;
}

export async function openKv(nc: NatsConnection, bucket: string): Promise<KV> {
  return new Kvm(nc).create(bucket, { history: 5 });
}

export async function openObjectStore(nc: NatsConnection, bucket: string): Promise<ObjectStore> {
  return new Objm(nc).create(bucket);
}

/** Deletes every stream and bucket of a namespace: for test teardown only. */
export async function destroyNamespace(nc: NatsConnection, t: NatsTopology): Promise<void> {
  if (!t.namespace) throw new Error('refusing to destroy the un-namespaced production topology');
  const jsm = await jetstreamManager(nc);
  for await (const name of jsm.streams.names()) {
    if (
      name.startsWith(`${t.namespace}_`) ||
      name.startsWith(`KV_${t.namespace}_`) ||
      name.startsWith(`OBJ_${t.namespace}_`)
    ) {
      await jsm.streams.delete(name).catch(() => undefined);
    }
  }
}
export * from './durable-consumer.js';
export * from './object-reader.js';

export interface KeyFollower {
  stop(): void;
}

type KvWatcher = Awaited<ReturnType<KV['watch']>>;

/**
 * Keeps a KV watch going: feeds every entry to `apply` and opens the watch again (after a second)
 * when it ends or fails, because a KV watch ends silently when the server drops its consumer.
 */
async function keepWatching(
  open: () => Promise<KvWatcher>,
  apply: (entry: KvEntry) => void,
  what: Record<string, unknown>,
  log: Logger | undefined,
  isStopped: () => boolean,
): Promise<{ stop(): void }> {
  let watcher = await open();
  void (async () => {
    while (!isStopped()) {
      try {
        for await (const entry of watcher) apply(entry);
      } catch (error) {
        log?.warn({ err: error, ...what }, 'KV watch failed');
      }
      if (isStopped()) return;
      log?.warn(what, 'KV watch ended; watching again');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      try {
        if (!isStopped()) watcher = await open();
      } catch (error) {
        log?.warn({ err: error, ...what }, 'could not watch the KV bucket; retrying');
      }
    }
  })();
  return { stop: () => watcher.stop() };
}

/** Runs `check` every `pollMs` until stopped; the returned function stops it. */
function everyPoll(check: () => Promise<void>, pollMs: number, isStopped: () => boolean): () => void {
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    await check();
    if (!isStopped()) timer = setTimeout(() => void run(), pollMs).unref();
  };
  timer = setTimeout(() => void run(), pollMs).unref();
  return () => clearTimeout(timer);
}

/**
 * Calls `onChange` with the current entry of `key` and with every change after it, once per KV
 * revision. A KV watch ends silently when the server drops its consumer (seen under load), so the
 * key is also read every `pollMs` and an ended watch is opened again: a follower never keeps a stale
 * value for longer than the poll interval.
 */
export async function followKvKey(
  kv: KV,
  key: string,
  onChange: (entry: KvEntry) => void,
  options: { log?: Logger; pollMs?: number } = {},
): Promise<KeyFollower> {
  const { log, pollMs = 5_000 } = options;
  let stopped = false;
  let revision = 0;
  const isStopped = () => stopped;
  const apply = (entry: KvEntry) => {
    if (entry.revision <= revision) return;
    revision = entry.revision;
    onChange(entry);
  };
  const watch = await keepWatching(() => kv.watch({ key }), apply, { key }, log, isStopped);
  const stopPolling = everyPoll(
    async () => {
      try {
        const entry = await kv.get(key);
        if (entry && entry.revision > revision) {
          log?.warn({ key, revision: entry.revision }, 'KV change found by polling, not by the watch');
          apply(entry);
        }
      } catch (error) {
        log?.warn({ err: error, key }, 'could not read the KV key');
      }
    },
    pollMs,
    isStopped,
  );
  return {
    stop() {
      stopped = true;
      stopPolling();
      watch.stop();
    },
  };
}

/**
 * Calls `onChange` after every change to any key of the bucket (put, delete or purge), at most once
 * per change and not for the values present at the start. Like `followKvKey`, an ended watch is
 * opened again and the bucket's last sequence is read every `pollMs`, so a change the watch missed
 * is still reported within the poll interval. Meant for caches that reload the whole bucket.
 */
export async function followKvBucket(
  kv: KV,
  onChange: () => void,
  options: { log?: Logger; pollMs?: number } = {},
): Promise<KeyFollower> {
  const { log, pollMs = 5_000 } = options;
  let stopped = false;
  const isStopped = () => stopped;
  const lastSequence = async () => (await kv.status()).streamInfo.state.last_seq;
  const { bucket } = await kv.status();
  let seen = await lastSequence();
  const apply = (entry: KvEntry) => {
    if (entry.revision <= seen) return;
    seen = entry.revision;
    onChange();
  };
  const watch = await keepWatching(
    () => kv.watch({ include: KvWatchInclude.UpdatesOnly }),
    apply,
    { bucket },
    log,
    isStopped,
  );
  const stopPolling = everyPoll(
    async () => {
      try {
        const last = await lastSequence();
        if (last > seen) {
          log?.warn({ bucket, sequence: last }, 'KV change found by polling, not by the watch');
          seen = last;
          onChange();
        }
      } catch (error) {
        log?.warn({ err: error, bucket }, 'could not read the KV bucket status');
      }
    },
    pollMs,
    isStopped,
  );
  return {
    stop() {
      stopped = true;
      stopPolling();
      watch.stop();
    },
  };
}
