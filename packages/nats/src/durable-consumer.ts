import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { isNotFound } from './index.js';
import type { Logger } from '@triage/logger';
import { fallbackTracer, natsMessageContext, recordError, SpanKind, withSpan, type Span, type Tracer } from '@triage/telemetry';
import { z } from 'zod';

/** A message that can never succeed (bad JSON, failed schema): terminated, never retried. */
export class PoisonMessageError extends Error {
  /** Safe to log: names fields and checks, never payload values. */
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

/**
 * Parses a payload against its contract. The reason lists failing paths and zod issue codes
 * only: messages could quote values, and payload data stays out of logs.
 */
export function parsePayload<T>(schema: z.ZodType<T>, data: Uint8Array): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw new PoisonMessageError('payload is not UTF-8 JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
    throw new PoisonMessageError(`payload fails its schema (${issues.join('; ')})`.slice(0, 1000));
  }
  return result.data;
}

export interface DurableConsumerSpec {
  stream: string;
  durable: string;
  description: string;
  /** Unacknowledged messages the server lets this consumer hold: the in-flight cap. */
  maxAckPending: number;
  ackWaitMs?: number;
  /** Only these subjects of the stream (one subject; NATS 2.9 has no filter_subjects). Set at creation. */
  filterSubject?: string;
}

/**
 * Creates the durable pull consumer or updates its tunable settings. Separate from consuming, so
 * deployment (or the CLI) can provision consumers without starting to process.
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  spec: DurableConsumerSpec,
): Promise<ConsumerInfo> {
  const tunables = {
    description: spec.description,
    max_ack_pending: spec.maxAckPending,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    // A valid event is never dropped: transient failures are retried (with growing delays) forever.
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
    return await jsm.consumers.update(spec.stream, spec.durable, tunables);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return jsm.consumers.add(spec.stream, {
      ...tunables,
      durable_name: spec.durable,
      ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
  }
}

export type MessageHandler = (msg: JsMsg) => Promise<void>;
export type MessageOutcome = 'ack' | 'nak' | 'term';

export interface DurableConsumerOptions {
  log: Logger;
  /** First redelivery delay after a transient failure; doubles per delivery up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs?: number;
  /** Servers before 2.11 ignore `+TERM <reason>` (the message would come back): send a bare term there. */
  termWithReason?: boolean;
  /** How long one pull waits for messages (nats.js minimum 1 s); bounds how long a drain takes. */
  fetchExpiresMs?: number;
  onOutcome?: (outcome: MessageOutcome) => void;
  /**
   * Messages handled at once (default 1). Messages with the same partition key are still handled
   * one after the other, in stream order; different keys overlap, so one slow message does not
   * hold up the others.
   */
  concurrency?: number;
  partitionKey?: (msg: JsMsg) => string;
  /** Each message is handled in a consumer span continuing the publisher's trace (its headers). */
  tracer?: Tracer;
}

/** Whether the server understands a reason on `term` (nats-server 2.11+). */
export function serverSupportsTermReason(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  return major > 2 || (major === 2 && minor >= 11);
}

/**
 * Runs `work` over a stream of items, at most `concurrency` at a time, with items of the same key
 * one after the other in arrival order. Resolves when every item is done (also when the stream
 * fails: work already started is finished first, then the error is thrown).
 */
export async function processPartitioned<T>(
  items: AsyncIterable<T>,
  options: { concurrency: number; key: (item: T) => string },
  work: (item: T) => Promise<void>,
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency);
  const inFlight = new Set<Promise<void>>();
  const chains = new Map<string, Promise<void>>();
  try {
    for await (const item of items) {
      const key = options.key(item);
      const previous = chains.get(key) ?? Promise.resolve();
      const task = previous.catch(() => undefined).then(() => work(item));
      chains.set(key, task);
      inFlight.add(task);
      task
        .finally(() => {
          inFlight.delete(task);
          if (chains.get(key) === task) chains.delete(key);
        })
        .catch(() => undefined);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}

export function retryDelay(deliveryCount: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(deliveryCount - 1, 20)));
}

/**
 * Pulls from a durable consumer in bounded batches and runs the handler one message at a time,
 * acking explicitly after the handler succeeded. Poison messages are terminated, everything else
 * is nak'ed with a delay (the database or NATS being away is the usual cause).
 *
 * Batches are `fetch`es that end on their own (full or expired) rather than an endless `consume`:
 * a pull request cannot be withdrawn from a 2.9 server, so a consumer that stops mid-request has
 * messages delivered into its closed inbox, stuck until ack_wait. Draining instead finishes the
 * current batch and simply does not ask for another.
 */
export class DurableConsumerRunner {
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(
    private readonly js: JetStreamClient,
    private readonly spec: DurableConsumerSpec,
    private readonly handler: MessageHandler,
    private readonly options: DurableConsumerOptions,
  ) {}

  get name(): string {
    return this.spec.durable;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops asking for messages and finishes the batch in hand (at most `fetchExpiresMs` plus its work). */
  async drain(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const log = this.options.log.child({ consumer: this.spec.durable });
    const batchSize = Math.min(this.spec.maxAckPending, 32);
    let failures = 0;
    while (!this.stopping) {
      try {
        const consumer = await this.js.consumers.get(this.spec.stream, this.spec.durable);
        while (!this.stopping) {
          const batch = await consumer.fetch({
            max_messages: batchSize,
            expires: this.options.fetchExpiresMs ?? 2_000,
          });
          await this.processBatch(batch, log);
          failures = 0;
        }
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        // A single failed pull (heartbeats missed while the machine was busy) is retried at once, so
        // it does not hold up the stream; repeated failures (NATS away) back off to a second.
        const delay = retryDelay(failures, 25, 1_000);
        log.error({ err: error, retryInMs: delay }, 'pulling failed; retrying');
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, delay);
        });
      }
    }
  }

  private processBatch(batch: AsyncIterable<JsMsg>, log: Logger): Promise<void> {
    return processPartitioned(
      batch,
      { concurrency: this.options.concurrency ?? 1, key: this.options.partitionKey ?? (() => '') },
      (msg) => this.process(msg, log),
    );
  }

  private process(msg: JsMsg, log: Logger): Promise<void> {
    const attributes = {
      'messaging.system': 'nats',
      'messaging.destination.name': msg.subject,
      'messaging.consumer.group.name': this.spec.durable,
      'messaging.nats.stream_sequence': msg.seq,
      'messaging.nats.deliveries': msg.info.deliveryCount,
    };
    return withSpan(
      this.options.tracer ?? fallbackTracer('@triage/nats'),
      `process ${this.spec.durable}`,
      { kind: SpanKind.CONSUMER, parent: natsMessageContext(msg.headers), attributes },
      (span) => this.settle(msg, log, span),
    );
  }

  private async settle(msg: JsMsg, log: Logger, span: Span): Promise<void> {
    const where = { subject: msg.subject, streamSequence: msg.seq, deliveries: msg.info.deliveryCount };
    try {
      await this.handler(msg);
    } catch (error) {
      recordError(span, error);
      if (error instanceof PoisonMessageError) {
        log.warn({ ...where, reason: error.reason }, 'terminated an event that can never be processed');
        if (this.options.termWithReason) msg.term(error.reason);
        else msg.term();
        this.options.onOutcome?.('term');
        return;
      }
      const delay = retryDelay(
        msg.info.deliveryCount,
        this.options.retryDelayMs,
        this.options.maxRetryDelayMs ?? 60_000,
      );
      log.error({ ...where, err: error, retryInMs: delay }, 'event failed; will be redelivered');
      msg.nak(delay);
      this.options.onOutcome?.('nak');
      return;
    }
    // Not waited for (no ackAck round trip per message): handlers are idempotent, so an ack that is
    // lost only means the event is applied again after ack_wait. Draining the connection sends every
    // ack before it closes.
    msg.ack();
    this.options.onOutcome?.('ack');
  }
}
