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

/** What `follow` needs to know of one followed thing (a key, or a whole bucket). */
interface Followed {
  /** Log fields naming it. */
  what: Record<string, unknown>;
  /** Revisions up to this one are not reported. */
  startRevision: number;
  watch(): Promise<KvWatcher>;
  /** Its latest revision read without the watch (and the entry, for a key); null when there is none. */
  latest(): Promise<{ revision: number; entry?: KvEntry } | null>;
  changed(entry: KvEntry | undefined): void;
}

/**
 * Reports each revision of `followed` once, from a KV watch that is opened again (after a second)
 * whenever it ends or fails, and from a read every `pollMs`: a KV watch ends silently when the
 * server drops its consumer (seen under load), so the watch alone can go stale for good.
 */
async function follow(followed: Followed, log: Logger | undefined, pollMs: number): Promise<KeyFollower> {
  const { what } = followed;
  let stopped = false;
  let revision = followed.startRevision;
  let poll: NodeJS.Timeout | undefined;
  const apply = (next: number, entry: KvEntry | undefined) => {
    if (stopped || next <= revision) return;
    revision = next;
    followed.changed(entry);
  };
  let watcher = await followed.watch();
  void (async () => {
    while (!stopped) {
      try {
        for await (const entry of watcher) apply(entry.revision, entry);
      } catch (error) {
        log?.warn({ err: error, ...what }, 'KV watch failed');
      }
      if (stopped) return;
      log?.warn(what, 'KV watch ended; watching again');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      try {
        if (stopped) return;
        const reopened = await followed.watch();
        if (stopped) {
          reopened.stop();
          return;
        }
        watcher = reopened;
      } catch (error) {
        log?.warn({ err: error, ...what }, 'could not watch the KV bucket; retrying');
      }
    }
  })();
  const check = async () => {
    try {
      const latest = await followed.latest();
      if (latest && latest.revision > revision) {
        log?.warn({ ...what, revision: latest.revision }, 'KV change found by polling, not by the watch');
        apply(latest.revision, latest.entry);
      }
    } catch (error) {
      log?.warn({ err: error, ...what }, 'could not read the KV bucket');
    }
    if (!stopped) poll = setTimeout(() => void check(), pollMs).unref();
  };
  poll = setTimeout(() => void check(), pollMs).unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(poll);
      watcher.stop();
    },
  };
}

/**
 * Calls `onChange` with the current entry of `key` and with every change after it, once per KV
 * revision. The key is also read every `pollMs` and an ended watch is opened again (see `follow`):
 * a follower never keeps a stale value for longer than the poll interval.
 */
export function followKvKey(
  kv: KV,
  key: string,
  onChange: (entry: KvEntry) => void,
  options: { log?: Logger; pollMs?: number } = {},
): Promise<KeyFollower> {
  return follow(
    {
      what: { key },
      startRevision: 0,
      watch: () => kv.watch({ key }),
      latest: async () => {
        const entry = await kv.get(key);
        return entry ? { revision: entry.revision, entry } : null;
      },
      changed: (entry) => onChange(entry!),
    },
    options.log,
    options.pollMs ?? 5_000,
  );
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
  const status = await kv.status();
  return follow(
    {
      what: { bucket: status.bucket },
      startRevision: status.streamInfo.state.last_seq,
      watch: () => kv.watch({ include: KvWatchInclude.UpdatesOnly }),
      latest: async () => ({ revision: (await kv.status()).streamInfo.state.last_seq }),
      changed: () => onChange(),
    },
    options.log,
    options.pollMs ?? 5_000,
  );
}
