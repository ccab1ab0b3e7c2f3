import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '@triage/auth';
import type { Logger } from '@triage/logger';
import {
  ACTIVE_KEY,
  ActiveModelRecord,
  fetchModel,
  parseModelMetadata,
  readMetadataProps,
  type ModelMetadata,
} from '@triage/model';
import { followKvBucket, type KV } from '@triage/nats';
import type { Orm } from '@triage/service-common';
import type { NatsResources } from '../common/nats-resources.js';
import { digestIsSha256, putIfAbsent } from '../common/object-digest.js';
import { ModelEvent, type ModelEventKind } from './model-event.entity.js';
import { ModelVersion, type ModelStatus } from './model-version.entity.js';
import { validateModel } from './onnx-validation.js';

/**
 * KV key (in the models bucket, next to `active`) naming the shadow model: the same JSON record as
 * `active` ({version, object, sha256, publishedAt}, ActiveModelRecord of @triage/model). Workers run
 * it beside the active model and publish its predictions with `shadow: true`; a delete (or purge)
 * of the key means "no shadow model".
 */
export const SHADOW_KEY = 'shadow';

const REGISTRY_LOCK = `select pg_advisory_xact_lock(hashtextextended('research:model-registry', 0))`;
const ACTIVATIONS: ModelEventKind[] = ['ACTIVATE', 'EXTERNAL_ACTIVATE', 'ROLLBACK'];
/** Actor recorded for what was found in the registry rather than done through this service. */
export const REGISTRY_ACTOR = 'registry';

/** The registry record of a model version, as the workers read it from the KV bucket. */
export const recordOf = (model: ModelVersion): ActiveModelRecord =>
  ActiveModelRecord.parse({
    version: model.version,
    object: model.objectKey,
    sha256: model.sha256,
    publishedAt: model.publishedAt.toISOString(),
  });

/**
 * Versions activated so far, as a stack: an activation pushes (unless it re-activates the top),
 * a rollback pops back to the version below. The top is the active version; the one below is
 * what rollbackModel restores.
 */
export function activationStack(events: readonly Pick<ModelEvent, 'kind' | 'version'>[]): string[] {
  const stack: string[] = [];
  for (const event of events) {
    if (!event.version || !ACTIVATIONS.includes(event.kind)) continue;
    if (event.kind === 'ROLLBACK') stack.pop();
    if (stack.at(-1) !== event.version) stack.push(event.version);
  }
  return stack;
}

/**
 * The model registry: ONNX files in the models Object Store bucket (`<version>.onnx`), the KV keys
 * `active` and `shadow` the inference workers follow, and the ModelVersion / ModelEvent tables
 * that describe them. The KV bucket is the truth for what runs; every change here first
 * reconciles the tables with it, under one advisory lock, so replicas and the model CLI agree.
 */
export class ModelRegistryService {
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly orm: Orm,
    private readonly nats: NatsResources,
    private readonly log: Logger,
  ) {}

  /** Validates and stores a new model version without activating it. `created` is false for a re-upload of the same bytes. */
  async publish(bytes: Uint8Array, actor: string): Promise<{ model: ModelVersion; created: boolean }> {
    const { metadata, sha256 } = await validateModel(bytes);
    const store = await this.nats.modelStore();
    return this.inRegistry(async (em) => {
      const existing = await em.findOne(ModelVersion, { version: metadata.version });
      if (existing) {
        if (existing.sha256 === sha256) return { model: existing, created: false };
        throw conflict(
          `Model version ${metadata.version} is already published with different bytes; give the new model another version`,
        );
      }
      const objectKey = `${metadata.version}.onnx`;
      const stored = await putIfAbsent(store, objectKey, bytes, {
        description: `pneumonia model ${metadata.version}`,
      });
      if (stored === 'different') {
        throw conflict(
          `The registry already holds other bytes under ${objectKey}; give the new model another version`,
        );
      }
      const now = new Date();
      const model = em.create(ModelVersion, {
        ...this.cardOf(metadata, sha256, bytes.length),
        objectKey,
        status: 'AVAILABLE',
        publishedAt: now,
        publishedBy: actor,
        updatedAt: now,
      });
      em.create(ModelEvent, { kind: 'PUBLISH', version: metadata.version, actor, occurredAt: now });
      await em.flush();
      this.log.info({ version: metadata.version, sha256, actor }, 'published a model version');
      return { model, created: true };
    });
  }

  /** Makes `version` the active model: the workers switch to it. The previous one is RETIRED. */
  activate(version: string, actor: string): Promise<ModelVersion> {
    return this.inRegistry((em, kv) => this.activateIn(em, kv, version, actor, 'ACTIVATE'));
  }

  /** Re-activates the version that was active before the current one. */
  rollback(actor: string): Promise<ModelVersion> {
    return this.inRegistry(async (em, kv) => {
      const stack = activationStack(await this.activationEvents(em));
      const target = stack.at(-2);
      if (!target) throw badInput('There is no earlier active model version to roll back to');
      return this.activateIn(em, kv, target, actor, 'ROLLBACK');
    });
  }

  /** Runs `version` beside the active model on live traffic, its predictions recorded but never shown. */
  shadow(version: string, actor: string): Promise<ModelVersion> {
    return this.inRegistry(async (em, kv) => {
      const target = await this.requireVersion(em, version);
      if (target.status === 'ACTIVE')
        throw badInput(`Model version ${version} is the active model; shadow another version`);
      if (target.status === 'SHADOW') return target;
      await this.assertObjectPresent(target);
      const current = await em.findOne(ModelVersion, { status: 'SHADOW' });
      if (current) {
        this.setStatus(current, await this.restingStatus(em, current.version));
        await em.flush();
      }
      this.setStatus(target, 'SHADOW');
      em.create(ModelEvent, {
        kind: 'SHADOW',
        version,
        previousVersion: current?.version ?? null,
        actor,
        occurredAt: new Date(),
      });
      await em.flush();
      await kv.put(SHADOW_KEY, JSON.stringify(recordOf(target)));
      this.log.info({ version, previous: current?.version, actor }, 'set the shadow model');
      return target;
    });
  }

  /** Stops the shadow model; returns the version that was shadowed, or null when there was none. */
  clearShadow(actor: string): Promise<ModelVersion | null> {
    return this.inRegistry(async (em, kv) => {
      const current = await em.findOne(ModelVersion, { status: 'SHADOW' });
      if (current) {
        this.setStatus(current, await this.restingStatus(em, current.version));
        em.create(ModelEvent, {
          kind: 'CLEAR_SHADOW',
          version: current.version,
          actor,
          occurredAt: new Date(),
        });
        await em.flush();
      }
      if (await readRecord(kv, SHADOW_KEY, this.log)) await kv.delete(SHADOW_KEY);
      if (current) this.log.info({ version: current.version, actor }, 'cleared the shadow model');
      return current;
    });
  }

  /** Brings the tables in line with the registry (start-up, and whenever the KV bucket changes). */
  reconcile(): Promise<void> {
    return this.inRegistry(async () => undefined);
  }

  /**
   * Reconciles on every change of the registry's KV keys (the model CLI, another replica). Followed
   * with `followKvBucket`: a plain KV watch ends silently when the server drops its consumer, and
   * the tables would then stay behind the registry for good.
   */
  async watch(): Promise<() => Promise<void>> {
    const follower = await followKvBucket(
      await this.nats.modelKv(),
      () => {
        this.syncing = this.syncing
          .then(() => this.reconcile())
          .catch((error: unknown) =>
            this.log.error({ err: error }, 'could not reconcile with the model registry'),
          );
      },
      { log: this.log },
    );
    return async () => {
      follower.stop();
      await this.syncing;
    };
  }

  list(em: EntityManager): Promise<ModelVersion[]> {
    return em.find(ModelVersion, {}, { orderBy: [{ publishedAt: 'desc' }, { version: 'asc' }] });
  }

  /** The version the registry's KV key names (`active` or `shadow`), described by its row. */
  async inSlot(em: EntityManager, key: typeof ACTIVE_KEY | typeof SHADOW_KEY): Promise<ModelVersion | null> {
    const record = await readRecord(await this.nats.modelKv(), key, this.log);
    return record ? em.findOne(ModelVersion, { version: record.version }) : null;
  }

  events(em: EntityManager, first: number): Promise<ModelEvent[]> {
    return em.find(ModelEvent, {}, { orderBy: { id: 'desc' }, limit: first });
  }

  private async activateIn(
    em: EntityManager,
    kv: KV,
    version: string,
    actor: string,
    kind: 'ACTIVATE' | 'ROLLBACK',
  ): Promise<ModelVersion> {
    const target = await this.requireVersion(em, version);
    const current = await em.findOne(ModelVersion, { status: 'ACTIVE' });
    if (current === target) return target;
    await this.assertObjectPresent(target);
    const wasShadow = target.status === 'SHADOW';
    if (current) {
      // Flushed first: at most one ACTIVE row at any moment (unique index).
      this.setStatus(current, 'RETIRED');
      await em.flush();
    }
    this.setStatus(target, 'ACTIVE');
    em.create(ModelEvent, {
      kind,
      version,
      previousVersion: current?.version ?? null,
      actor,
      occurredAt: new Date(),
    });
    await em.flush();
    // The KV write is the last step inside the transaction: if it fails, the tables roll back.
    await kv.put(ACTIVE_KEY, JSON.stringify(recordOf(target)));
    // A promoted shadow is live now; the workers must not run it twice.
    if (wasShadow) await kv.delete(SHADOW_KEY);
    this.log.info({ version, previous: current?.version, kind, actor }, 'switched the active model');
    return target;
  }

  private async inRegistry<T>(work: (em: EntityManager, kv: KV) => Promise<T>): Promise<T> {
    const kv = await this.nats.modelKv();
    return this.orm.em.fork().transactional(async (em) => {
      await em.execute(REGISTRY_LOCK);
      await this.syncWith(em, kv);
      return work(em, kv);
    });
  }

  /** Mirrors the KV keys `active` and `shadow` into the tables, importing versions published elsewhere. */
  private async syncWith(em: EntityManager, kv: KV): Promise<void> {
    const active = await readRecord(kv, ACTIVE_KEY, this.log);
    const shadow = await readRecord(kv, SHADOW_KEY, this.log);
    const activeRow = active ? await this.ensureRow(em, active) : null;
    const shadowRow = shadow && shadow.version !== active?.version ? await this.ensureRow(em, shadow) : null;
    let changed = false;
    for (const row of await em.find(ModelVersion, { status: { $in: ['ACTIVE', 'SHADOW'] } })) {
      if (row.status === 'ACTIVE' && row !== activeRow && active) {
        this.setStatus(row, 'RETIRED');
        changed = true;
      } else if (row.status === 'SHADOW' && row !== shadowRow) {
        this.setStatus(row, await this.restingStatus(em, row.version));
        changed = true;
      }
    }
    if (changed) await em.flush();
    if (activeRow && activeRow.status !== 'ACTIVE') this.setStatus(activeRow, 'ACTIVE');
    if (shadowRow && shadowRow.status !== 'SHADOW') this.setStatus(shadowRow, 'SHADOW');
    if (activeRow) {
      const top = activationStack(await this.activationEvents(em)).at(-1) ?? null;
      if (top !== activeRow.version) {
        em.create(ModelEvent, {
          kind: 'EXTERNAL_ACTIVATE',
          version: activeRow.version,
          previousVersion: top,
          actor: REGISTRY_ACTOR,
          occurredAt: new Date(),
        });
        this.log.info(
          { version: activeRow.version, previous: top },
          'the registry names an active model this service did not activate; recorded it',
        );
      }
    }
    await em.flush();
  }

  /** The row of a registry record, imported from the models bucket when missing; null when it cannot be read. */
  private async ensureRow(em: EntityManager, record: ActiveModelRecord): Promise<ModelVersion | null> {
    const existing = await em.findOne(ModelVersion, { version: record.version });
    if (existing) {
      if (existing.sha256 !== record.sha256) {
        this.log.warn(
          { version: record.version },
          'the registry record and the stored model version disagree on the SHA-256',
        );
      }
      return existing;
    }
    try {
      const bytes = await fetchModel(this.nats.connection(), this.nats.topology, record);
      const metadata = parseModelMetadata(readMetadataProps(bytes));
      const publishedAt = new Date(record.publishedAt);
      const row = em.create(ModelVersion, {
        ...this.cardOf(metadata, record.sha256, bytes.length),
        version: record.version,
        objectKey: record.object,
        status: 'AVAILABLE',
        publishedAt,
        publishedBy: REGISTRY_ACTOR,
        updatedAt: new Date(),
      });
      await em.flush();
      this.log.info({ version: record.version }, 'imported a model version from the registry');
      return row;
    } catch (error) {
      this.log.error(
        { err: error, version: record.version },
        'cannot import the model version the registry names',
      );
      return null;
    }
  }

  private cardOf(metadata: ModelMetadata, sha256: string, sizeBytes: number) {
    return {
      version: metadata.version,
      sha256,
      sizeBytes,
      threshold: metadata.threshold,
      metrics: metadata.metrics,
      inputSpec: metadata.inputSpec,
      trainingDataSha256: metadata.trainingDataSha256 ?? null,
      license: metadata.license ?? null,
    };
  }

  private async requireVersion(em: EntityManager, version: string): Promise<ModelVersion> {
    const model = await em.findOne(ModelVersion, { version });
    if (!model) throw notFound(`Model version ${version} is not published`);
    return model;
  }

  /** Workers would fail to load a version whose file is gone: refuse to point them at it. */
  private async assertObjectPresent(model: ModelVersion): Promise<void> {
    const info = await (await this.nats.modelStore()).info(model.objectKey);
    if (!info || info.deleted)
      throw conflict(`The file of model version ${model.version} is missing from the registry`);
    if (!digestIsSha256(info.digest, model.sha256)) {
      throw conflict(`The file of model version ${model.version} in the registry does not match its SHA-256`);
    }
  }

  /** Where a version goes when it leaves a slot: RETIRED if it was ever active, else AVAILABLE. */
  private async restingStatus(em: EntityManager, version: string): Promise<ModelStatus> {
    const activated = await em.count(ModelEvent, { version, kind: { $in: ACTIVATIONS } });
    return activated > 0 ? 'RETIRED' : 'AVAILABLE';
  }

  private setStatus(model: ModelVersion, status: ModelStatus): void {
    model.status = status;
    model.updatedAt = new Date();
  }

  private activationEvents(em: EntityManager): Promise<ModelEvent[]> {
    return em.find(ModelEvent, { kind: { $in: ACTIVATIONS } }, { orderBy: { id: 'asc' } });
  }
}

/** A registry KV record, or null when the key is absent, deleted or unreadable. */
export async function readRecord(kv: KV, key: string, log?: Logger): Promise<ActiveModelRecord | null> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT') return null;
  try {
    return ActiveModelRecord.parse(entry.json());
  } catch (error) {
    log?.warn({ key, err: error }, 'ignoring an unreadable model registry record');
    return null;
  }
}
