import { ACTIVE_KEY, ActiveModelRecord, fetchModel } from '@triage/model';
import type { NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import { followKvKey, openKv, type KvEntry, type NatsConnection } from '@triage/nats';
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
  private stopWatch?: () => void;
  private loading: Promise<void> = Promise.resolve();
  /** The version the key names now (undefined when it names none). */
  private wanted?: string;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: NatsTopology,
    readonly key: string,
    private readonly load: ModelLoader,
    private readonly log: Logger,
    private readonly onSwap?: (version: string) => void,
    /** How often the key is also read directly, in case the watch stalled. */
    private readonly pollMs = 5_000,
    /** First wait before loading a model again after a failed load; doubles up to 30 s. */
    private readonly retryMs = 1_000,
  ) {}

  current(): ScoringModel | undefined {
    return this.model;
  }

  /** Follows the key (watch, plus a read every `pollMs` in case the watch stalls: see followKvKey). */
  async start(): Promise<void> {
    const kv = await openKv(this.nc, this.topology.buckets.models);
    const follower = await followKvKey(kv, this.key, (entry) => this.apply(entry), {
      log: this.log,
      pollMs: this.pollMs,
    });
    this.stopWatch = () => follower.stop();
  }

  private apply(entry: KvEntry): void {
    clearTimeout(this.retry);
    if (entry.operation !== 'PUT') {
      this.wanted = undefined;
      this.loading = this.loading.then(() => this.replace(undefined));
      return;
    }
    const parsed = ActiveModelRecord.safeParse(entry.json());
    if (!parsed.success) {
      this.log.error({ key: this.key }, 'ignoring a malformed model pointer');
      return;
    }
    this.wanted = parsed.data.version;
    this.loading = this.loading.then(() => this.swapTo(parsed.data, 0));
  }

  /** Resolves once the pointer present at start (if any) is loaded. */
  async settled(): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    await this.loading;
  }

  /**
   * Loads the model `record` names. A failed load (object not readable yet, NATS busy) is tried again
   * with back-off for as long as the key still names that version: without that, one failed read
   * would leave the worker on the previous model until the key changed again.
   */
  private async swapTo(record: ActiveModelRecord, attempt: number): Promise<void> {
    const stillWanted = () => !this.stopped && this.wanted === record.version;
    if (!stillWanted() || this.model?.version === record.version) return;
    try {
      const loaded = await this.load(await fetchModel(this.nc, this.topology, record));
      // The key may have moved on (or the worker stopped) while this version was loading.
      if (!stillWanted()) {
        await loaded.release?.();
        return;
      }
      await this.replace(loaded);
    } catch (error) {
      if (!stillWanted()) return;
      const retryInMs = Math.min(30_000, this.retryMs * 2 ** attempt);
      this.log.error(
        { err: error, modelVersion: record.version, key: this.key, retryInMs },
        'could not load model; keeping the previous one and trying again',
      );
      clearTimeout(this.retry);
      this.retry = setTimeout(() => {
        this.loading = this.loading.then(() => this.swapTo(record, attempt + 1));
      }, retryInMs).unref();
    }
  }

  private async replace(next: ScoringModel | undefined): Promise<void> {
    const previous = this.model;
    this.model = next;
    if (next) this.onSwap?.(next.version);
    this.log.info(
      { key: this.key, modelVersion: next?.version ?? null },
      next ? 'model loaded' : 'model removed',
    );
    // In-flight batches hold their own reference; release the old session after they finish.
    if (previous?.release) setTimeout(() => void previous.release!(), 30_000).unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.stopWatch?.();
  }
}
