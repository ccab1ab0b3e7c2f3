import type { EntityManager } from '@mikro-orm/postgresql';
import { DirectoryHospitalsV1, encodeEvent } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import type { KV } from '@triage/nats';
import type { Orm } from '@triage/service-common';
import { Hospital } from './hospital.entity.js';

/** Key of the hospital list in the `natsTopology(ns).buckets.directory` KV bucket. */
export const DIRECTORY_HOSPITALS_KEY = 'hospitals';
/** pg advisory lock id: serializes read-then-put so the last put always holds the latest list. */
const PUBLISH_LOCK = 7_400_002;

export function directoryHospitalsPayload(hospitals: Hospital[], now = new Date()): DirectoryHospitalsV1 {
  return {
    version: 1,
    hospitals: hospitals.map(({ id, slug, name, subgraphUrl }) => ({ id, slug, name, subgraphUrl })),
    publishedAt: now.toISOString(),
  };
}

/** Puts the current hospital list into the directory KV bucket; returns what it published. */
export async function publishHospitals(orm: Orm, kv: KV): Promise<DirectoryHospitalsV1> {
  return orm.em.fork().transactional(async (em: EntityManager) => {
    await em.execute('select pg_advisory_xact_lock(?)', [PUBLISH_LOCK]);
    const hospitals = await em.find(Hospital, {}, { orderBy: { slug: 'asc' } });
    const payload = directoryHospitalsPayload(hospitals);
    await kv.put(DIRECTORY_HOSPITALS_KEY, encodeEvent(DirectoryHospitalsV1, payload));
    return payload;
  });
}

/**
 * Publishes the hospital list after changes. A failed publish does not fail the change that
 * caused it (the row is committed): it is retried in the background until NATS takes it.
 */
export class HospitalPublisher {
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 1_000;
  private closed = false;

  constructor(
    private readonly orm: Orm,
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  async publish(): Promise<boolean> {
    if (this.closed) return false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    try {
      const payload = await publishHospitals(this.orm, this.kv);
      this.retryDelayMs = 1_000;
      this.log.info({ hospitals: payload.hospitals.length }, 'published the hospital list');
      return true;
    } catch (error) {
      this.log.error({ err: error, retryInMs: this.retryDelayMs }, 'could not publish the hospital list');
      this.retryTimer = setTimeout(() => void this.publish(), this.retryDelayMs);
      this.retryTimer.unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
      return false;
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }
}
