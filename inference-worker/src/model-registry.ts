import { fetchModel, watchActiveModel, type ActiveModelRecord } from '@triage/model';
import type { NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { NatsConnection } from '@triage/nats';
import type { ModelLoader, ScoringModel } from './scoring-model.js';

/**
 * Follows the model registry (KV `models` key `active` -> Object Store `models`). A new version is
 * loaded in the background and swapped in between batches: a batch keeps the model it started
 * with, so no message is dropped or scored by a half-loaded model.
 */
export class ActiveModel {
  private model?: ScoringModel;
  private stopWatch?: () => void;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: NatsTopology,
    private readonly load: ModelLoader,
    private readonly log: Logger,
    private readonly onSwap?: (version: string) => void,
  ) {}

  current(): ScoringModel | undefined {
    return this.model;
  }

  async start(): Promise<void> {
    this.stopWatch = await watchActiveModel(
      this.nc,
      this.topology,
      (record) => {
        this.loading = this.loading.then(() => this.swapTo(record));
        return this.loading;
      },
      (error) => this.log.error({ err: error }, 'ignoring a malformed model pointer'),
    );
  }

  /** Resolves once the pointer present at start (if any) is loaded. */
  async settled(): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    await this.loading;
  }

  private async swapTo(record: ActiveModelRecord): Promise<void> {
    if (this.model?.version === record.version) return;
    try {
      const next = await this.load(await fetchModel(this.nc, this.topology, record));
      const previous = this.model;
      this.model = next;
      this.onSwap?.(next.version);
      this.log.info({ modelVersion: next.version }, 'model loaded');
      // In-flight batches hold their own reference; release the old session after they finish.
      if (previous?.release) setTimeout(() => void previous.release!(), 30_000).unref();
    } catch (error) {
      this.log.error({ err: error, modelVersion: record.version }, 'could not load model; keeping the previous one');
    }
  }

  stop(): void {
    this.stopWatch?.();
  }
}
