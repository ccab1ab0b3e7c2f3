import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputSpec } from './metadata.js';
import { UnsupportedImageError } from './preprocess.js';

/** The image could not be preprocessed (corrupt, unsupported): retrying will not help. */
export class PreprocessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreprocessError';
  }
}

/** The thread doing the work died (not the image's fault): retrying may help. */
export class PreprocessThreadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreprocessThreadError';
  }
}

interface Pending {
  resolve: (input: Float32Array) => void;
  reject: (error: Error) => void;
}

interface Reply {
  id: number;
  input?: Float32Array;
  error?: string;
  unsupported?: boolean;
}

interface Slot {
  thread: Worker;
  pending: Map<number, Pending>;
}

/**
 * The compiled thread entry. From the TypeScript sources (tests alias @triage/model to src/),
 * the thread still runs the compiled file: dependents' tests run after this package's build, and
 * its own test script builds first.
 */
function threadEntry(): URL {
  const compiled = new URL('./preprocess-thread.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return compiled;
  const fromDist = new URL('../dist/preprocess-thread.js', import.meta.url);
  if (!existsSync(fileURLToPath(fromDist))) {
    throw new Error(`${fileURLToPath(fromDist)} is missing: build @triage/model first (npm run build -w @triage/model)`);
  }
  return fromDist;
}

/**
 * Image bytes -> model input tensors on a pool of worker threads, so decoding and the exact float64
 * resize (the heaviest per-study work) use every core and never block the event loop that pulls
 * messages, runs the model and acknowledges. The arithmetic is the same code as `preprocess()`.
 * Tasks go to the thread with the fewest in flight; a thread that dies is replaced and its tasks fail
 * with PreprocessThreadError (transient).
 */
export class PreprocessPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  private readonly entry = threadEntry();

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`pool size must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // Plain node: the thread runs compiled JS, whatever loader the parent was started with.
    const thread = new Worker(this.entry, { execArgv: [] });
    const slot: Slot = { thread, pending: new Map() };
    thread.unref();
    thread.on('message', (reply: Reply) => {
      const task = slot.pending.get(reply.id);
      if (!task) return;
      slot.pending.delete(reply.id);
      if (reply.input) task.resolve(reply.input);
      else task.reject(reply.unsupported ? new UnsupportedImageError(reply.error ?? 'unsupported image') : new PreprocessError(reply.error ?? 'preprocessing failed'));
    });
    const fail = (why: string) => {
      for (const task of slot.pending.values()) task.reject(new PreprocessThreadError(why));
      slot.pending.clear();
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
    };
    thread.on('error', (error) => fail(`preprocessing thread failed: ${error.message}`));
    thread.on('exit', (code) => {
      if (!this.closed) fail(`preprocessing thread exited with code ${code}`);
    });
    return slot;
  }

  /**
   * Same result as `preprocess(image, spec)`. The image bytes are copied to the thread, or with
   * `transfer` moved there without a copy (the caller's buffer is then detached: pass only bytes it owns
   * whole and no longer needs).
   */
  run(image: Uint8Array, spec: InputSpec, { transfer = false }: { transfer?: boolean } = {}): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new PreprocessThreadError('preprocessing pool is closed'));
    let slot = this.slots[0]!;
    for (const candidate of this.slots) if (candidate.pending.size < slot.pending.size) slot = candidate;
    const id = this.nextId++;
    return new Promise<Float32Array>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.thread.ref();
      const movable = transfer && image.byteOffset === 0 && image.byteLength === image.buffer.byteLength;
      slot.thread.postMessage({ id, image, spec }, movable ? [image.buffer as ArrayBuffer] : []);
    }).finally(() => {
      if (slot.pending.size === 0) slot.thread.unref();
    });
  }

  /** Tasks in flight over all threads. */
  get inFlight(): number {
    return this.slots.reduce((n, s) => n + s.pending.size, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
    for (const slot of this.slots) {
      for (const task of slot.pending.values()) task.reject(new PreprocessThreadError('preprocessing pool closed'));
      slot.pending.clear();
    }
  }
}
