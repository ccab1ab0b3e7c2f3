import { DirectoryHospitalsV1, type NatsTopology } from '@triage/contracts';
import type { Logger } from '@triage/logger';
import { followKvKey, openKv, type NatsConnection } from '@triage/nats';

export interface HospitalRoute {
  id: string;
  slug: string;
  name: string;
  subgraphUrl: string;
}

export interface HospitalRegistry {
  get(hospitalId: string): HospitalRoute | undefined;
  list(): HospitalRoute[];
  ready(): boolean;
}

export const DIRECTORY_HOSPITALS_KEY = 'hospitals';

/**
 * The hospitals the gateway routes to, as published by the directory in its NATS KV bucket.
 * A KV watch keeps the list current: a hospital that joins or leaves is picked up at once (within
 * seconds should the watch stall), without restarting the gateway.
 */
export class NatsHospitalRegistry implements HospitalRegistry {
  private routes = new Map<string, HospitalRoute>();
  private loaded = false;
  private stopWatch?: () => void;
  private firstLoad?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: NatsTopology,
    private readonly log: Logger,
  ) {}

  async start(waitMs = 10_000): Promise<void> {
    const kv = await openKv(this.nc, this.topology.buckets.directory);
    let resolveFirst!: () => void;
    this.firstLoad = new Promise<void>((resolve) => (resolveFirst = resolve));
    // Watched, and read every few seconds in case the watch stalls (followKvKey).
    const follower = await followKvKey(
      kv,
      DIRECTORY_HOSPITALS_KEY,
      (entry) => {
        if (entry.operation !== 'PUT') {
          this.apply([]);
        } else {
          try {
            this.apply(DirectoryHospitalsV1.parse(entry.json()).hospitals);
          } catch (error) {
            this.log.error({ err: error }, 'ignoring a malformed hospital list from the directory');
          }
        }
        resolveFirst();
      },
      { log: this.log },
    );
    this.stopWatch = () => follower.stop();
    // An empty bucket (directory not started yet) must not block start-up forever.
    await Promise.race([this.firstLoad, new Promise((r) => setTimeout(r, waitMs))]);
  }

  private apply(hospitals: HospitalRoute[]): void {
    this.routes = new Map(hospitals.map((h) => [h.id, h]));
    this.loaded = true;
    this.log.info({ hospitals: hospitals.map((h) => h.slug) }, 'hospital routes updated');
  }

  get(hospitalId: string) {
    return this.routes.get(hospitalId);
  }

  list() {
    return [...this.routes.values()];
  }

  ready() {
    return this.loaded;
  }

  stop() {
    this.stopWatch?.();
  }
}
