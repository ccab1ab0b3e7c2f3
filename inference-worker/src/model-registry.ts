import { createHash } from 'node:crypto';
import type { NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import { openKv, openObjectStore, type NatsConnection } from '@triage/nats';
import { z } from 'zod';
import type { ModelLoader, ScoringModel } from './scoring-model.js';

export const ActiveModelPointer = z.object({
  version: z.string().min(1),
  object: z.string().min(1),
  sha256: z.string().regex(/^[a-f0-9]{64}$/).optional(),
  publishedAt: z.string().optional(),
});
export type ActiveModelPointer = z.infer<typeof ActiveModelPointer>;

/**
 * Follows the model registry: KV `<models>` key `active` names an ONNX object in the Object Store
 * bucket of the same name. A new pointer is loaded in the background and swapped in atomically
 * between batches, so no message is dropped or scored by a half-loaded model.
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
    private readonly key = 'active',
  ) {}

  current(): ScoringModel | undefined {
    return this.model;
  }

  async start(): Promise<void> {
    const kv = await openKv(this.nc, this.topology.buckets.models);
    const watch = await kv.watch({ key: this.key });
    this.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') continue;
        let pointer: ActiveModelPointer;
        try {
          pointer = ActiveModelPointer.parse(entry.json());
        } catch (error) {
          this.log.error({ err: error }, 'ignoring a malformed model pointer');
          continue;
        }
        this.loading = this.loading.then(() => this.swapTo(pointer));
      }
    })();
  }

  /** Resolves once the pointer present at start (if any) is loaded. */
  async settled(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
    await this.loading;
  }

  private async swapTo(pointer: ActiveModelPointer): Promise<void> {
    if (this.model?.version === pointer.version) return;
    try {
      const store = await openObjectStore(this.nc, this.topology.buckets.models);
      const bytes = await store.getBlob(pointer.object);
      if (!bytes) throw new Error(`model object ${pointer.object} is missing from the registry`);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (pointer.sha256 && digest !== pointer.sha256) throw new Error(`model ${pointer.version} checksum mismatch`);
      const next = await this.load(bytes);
      const previous = this.model;
      this.model = next;
      this.onSwap?.(next.version);
      this.log.info({ modelVersion: next.version, key: this.key }, 'model loaded');
      // Batches hold their own reference; release the old session after they finish with it.
      if (previous?.release) setTimeout(() => void previous.release!(), 30_000).unref();
    } catch (error) {
      this.log.error({ err: error, modelVersion: pointer.version }, 'could not load model; keeping the previous one');
    }
  }

  stop(): void {
    this.stopWatch?.();
  }
}
