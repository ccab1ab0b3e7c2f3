import type { NatsTopology } from '@triage/contracts';
import { openKv, openObjectStore, type KV, type NatsConnection, type ObjectStore } from '@triage/nats';

/**
 * The NATS connection and the buckets the services use, opened once the server has connected.
 * Services hold this from construction and reach NATS only while the server runs.
 */
export class NatsResources {
  private nc?: NatsConnection;
  private research?: Promise<ObjectStore>;
  private models?: Promise<ObjectStore>;
  private modelsKv?: Promise<KV>;

  constructor(readonly topology: NatsTopology) {}

  attach(nc: NatsConnection): void {
    this.nc = nc;
    this.research = this.models = this.modelsKv = undefined;
  }

  detach(): void {
    this.nc = undefined;
    this.research = this.models = this.modelsKv = undefined;
  }

  connection(): NatsConnection {
    if (!this.nc || this.nc.isClosed()) throw new Error('NATS is not connected');
    return this.nc;
  }

  /** De-identified images and dataset exports. */
  researchStore(): Promise<ObjectStore> {
    return (this.research ??= openObjectStore(this.connection(), this.topology.buckets.research));
  }

  /** ONNX files of the model registry, `<version>.onnx`. */
  modelStore(): Promise<ObjectStore> {
    return (this.models ??= openObjectStore(this.connection(), this.topology.buckets.models));
  }

  /** The registry's KV bucket: keys `active` and `shadow`. */
  modelKv(): Promise<KV> {
    return (this.modelsKv ??= openKv(this.connection(), this.topology.buckets.models));
  }
}
