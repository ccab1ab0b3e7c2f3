import { ACTIVE_KEY, ActiveModelRecord, fetchModel } from '@triage/model';
import type { NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import { openKv, type NatsConnection } from '@triage/nats';
import type { KvEntry } from '@triage/nats';
import type { ModelLoader, ScoringModel } from './scoring-model.js';

export { ACTIVE_KEY };
/** The shadow candidate: scored on live traffic next to the active model, never shown to doctors. */
export const SHADOW_KEY = 'shadow';

/**
 * Follows one key of the model registry (KV `models`: `active` or `shadow`, each naming an ONNX
 * object in the Object Store bucket of the same name). A new version is loaded in the background
 * and swapped in between batches: a batch keeps the model it started with, so no message is
 * dropped or scored by a half-loaded model. Deleting the key unloads the model.
 */
export class RegisteredModel {
  private model?: ScoringModel;
  private stopped = false;
  private stopWatch?: () => void;
  private poll?: NodeJS.Timeout;
  private loading: Promise<void> = Promise.resolve();
  /** KV revision of the last pointer applied: the watch and the poll apply each change once. */
  private revision = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: NatsTopology,
    readonly key: string,
    private readonly load: ModelLoader,
    private readonly log: Logger,
    private readonly onSwap?: (version: string) => void,
    /** How often the key is also read directly, in case the watch stalled. */
    private readonly pollMs = 5_000,
  ) {}

  current(): ScoringModel | undefined {
    return this.model;
  }

  /**
   * Watches the key, and reads it every `pollMs` as well: a KV watch ends silently when the server
   * drops its consumer (seen under load), and a worker that stopped following the registry would
   * keep scoring with a stale model. A watch that ended is opened again.
   */
  async start(): Promise<void> {
    const kv = await openKv(this.nc, this.topology.buckets.models);
    let watcher = await kv.watch({ key: this.key });
    this.stopWatch = () => watcher.stop();
    void (async () => {
      while (!this.stopped) {
        try {
          for await (const entry of watcher) this.apply(entry);
        } catch (error) {
          this.log.warn({ err: error, key: this.key }, 'model registry watch failed');
        }
        if (this.stopped) return;
        this.log.warn({ key: this.key }, 'model registry watch ended; watching again');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        try {
          if (!this.stopped) watcher = await kv.watch({ key: this.key });
        } catch (error) {
          this.log.warn({ err: error, key: this.key }, 'could not watch the model registry; retrying');
        }
      }
    })();
    const check = async () => {
      try {
        const entry = await kv.get(this.key);
        if (entry && entry.revision > this.revision) {
          this.log.warn({ key: this.key, revision: entry.revision }, 'model registry change found by polling, not by the watch');
          this.apply(entry);
        }
      } catch (error) {
        this.log.warn({ err: error, key: this.key }, 'could not read the model registry');
      }
      if (!this.stopped) this.poll = setTimeout(() => void check(), this.pollMs).unref();
    };
    this.poll = setTimeout(() => void check(), this.pollMs).unref();
  }

  private apply(entry: KvEntry): void {
    if (entry.revision <= this.revision) return;
    this.revision = entry.revision;
    if (entry.operation !== 'PUT') {
      this.loading = this.loading.then(() => this.replace(undefined));
      return;
    }
    const parsed = ActiveModelRecord.safeParse(entry.json());
    if (!parsed.success) {
      this.log.error({ key: this.key }, 'ignoring a malformed model pointer');
      return;
    }
    this.loading = this.loading.then(() => this.swapTo(parsed.data));
  }

  /** Resolves once the pointer present at start (if any) is loaded. */
  async settled(): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    await this.loading;
  }

  private async swapTo(record: ActiveModelRecord): Promise<void> {
    if (this.model?.version === record.version) return;
    try {
      await this.replace(await this.load(await fetchModel(this.nc, this.topology, record)));
    } catch (error) {
      this.log.error({ err: error, modelVersion: record.version, key: this.key }, 'could not load model; keeping the previous one');
    }
  }

  private async replace(next: ScoringModel | undefined): Promise<void> {
    const previous = this.model;
    this.model = next;
    if (next) this.onSwap?.(next.version);
    this.log.info({ key: this.key, modelVersion: next?.version ?? null }, next ? 'model loaded' : 'model removed');
    // In-flight batches hold their own reference; release the old session after they finish.
    if (previous?.release) setTimeout(() => void previous.release!(), 30_000).unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.poll);
    this.stopWatch?.();
  }
}
