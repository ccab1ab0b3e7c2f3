import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Logger } from '@triage/logger';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GatewayContext } from '../context.js';
import { shapeFeedEvent, type EnrichedItems } from './event-shaping.js';
import { authorizationScope, type PreparedFeed } from './feed-request.js';
import { FeedSubscription, SLOW_CONSUMER_CLOSE, type FeedConnection } from './feed-subscription.js';
import { FeedUnavailableError, type FeedEventSource, type TriageFeedEvent } from './triage-event-source.js';

/** Runs one operation through the gateway's federated executor with a subscriber's identity. */
export type FederatedExecutor = (
  request: { query: string; variables: Record<string, unknown> },
  context: GatewayContext,
) => Promise<EnrichedItems>;

export interface SubscriptionHubOptions {
  source: FeedEventSource;
  execute: FederatedExecutor;
  /** The API schema the subscriptions were validated against (current at each event). */
  schema: () => GraphQLSchema | undefined;
  registry: Registry;
  log: Logger;
  /** Undelivered events a subscriber may accumulate before its connection is closed as slow. */
  bufferLimit: number;
  /** Federated fetches in flight at once, over all events and groups. */
  fetchConcurrency: number;
  /** How long a new subscription waits for the triage stream consumer to be up. */
  readyTimeoutMs?: number;
}

/** Shaped results kept per (event, group), so replays right after the live event reuse them. */
const ENRICHMENT_CACHE_SIZE = 4_096;
/** Errors worth one more try: a subgraph connection that dropped, an instance restarting. Enrichment only reads. */
const TRANSIENT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_ERROR']);
const RETRY_DELAY_MS = 100;
/** A fetch that hangs must not stall its subscribers' ordered queues forever. */
const ENRICHMENT_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`enrichment timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

const errorResult = (message: string, code: string): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code } })],
});

/**
 * The gateway's live feed: matches each triage event to the subscriptions it concerns, resolves
 * it through the federated executor once per group of subscribers that share a selection and an
 * authorization scope, and queues the shaped result to each of them in stream order.
 */
export class SubscriptionHub {
  private readonly subscriptions = new Set<FeedSubscription>();
  private readonly enrichments = new Map<string, Promise<ExecutionResult>>();
  private readonly limiter: Semaphore;
  readonly metrics: {
    fetches: Counter<'outcome'>;
    fetchesPerEvent: Histogram;
    events: Counter<'source'>;
    deliveries: Counter;
    active: Gauge<'field'>;
    closed: Counter<'reason'>;
    enrichmentDuration: Histogram;
  };

  constructor(private readonly options: SubscriptionHubOptions) {
    this.limiter = new Semaphore(options.fetchConcurrency);
    const registers = [options.registry];
    this.metrics = {
      fetches: new Counter({
        name: 'gateway_subscription_fetches_total',
        help: 'Federated fetches made to enrich subscription events (one per event and group of subscribers)',
        labelNames: ['outcome'] as const,
        registers,
      }),
      fetchesPerEvent: new Histogram({
        name: 'gateway_subscription_fetches_per_event',
        help: 'Federated fetches per live triage event that reached at least one subscriber (= distinct selection and scope groups)',
        buckets: [0, 1, 2, 3, 5, 10, 20, 50, 100],
        registers,
      }),
      events: new Counter({
        name: 'gateway_subscription_events_total',
        help: 'Triage events read from the stream, live or replayed for resuming subscribers',
        labelNames: ['source'] as const,
        registers,
      }),
      deliveries: new Counter({
        name: 'gateway_subscription_deliveries_total',
        help: 'Events queued to subscribers',
        registers,
      }),
      active: new Gauge({
        name: 'gateway_subscriptions_active',
        help: 'Open subscriptions by field',
        labelNames: ['field'] as const,
        registers,
      }),
      closed: new Counter({
        name: 'gateway_subscription_connections_closed_total',
        help: 'Subscription connections the gateway closed, by reason',
        labelNames: ['reason'] as const,
        registers,
      }),
      enrichmentDuration: new Histogram({
        name: 'gateway_subscription_enrichment_duration_seconds',
        help: 'Duration of one federated fetch enriching a subscription event',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers,
      }),
    };
    options.source.onEvent((event) => this.fanOut(event));
  }

  /** Subscriptions currently open. */
  get size(): number {
    return this.subscriptions.size;
  }

  /**
   * Registers a prepared feed and returns its event stream for graphql-ws. With `after`, the
   * events after that cursor are replayed from JetStream first, then the subscription continues
   * live with no gap and no duplicate.
   */
  async subscribe(
    feed: PreparedFeed,
    connection: FeedConnection,
  ): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    try {
      await this.options.source.whenReady(this.options.readyTimeoutMs ?? 5_000);
    } catch (error) {
      if (error instanceof FeedUnavailableError) return errorResult(error.message, 'SERVICE_UNAVAILABLE');
      throw error;
    }
    const subscription = new FeedSubscription(
      feed,
      connection,
      `${feed.selectionKey}\u0000${authorizationScope(connection.principal)}`,
      this.options.bufferLimit,
    );
    let until = 0;
    if (feed.after != null) {
      // Registered before the stream's end is read: everything after `until` arrives live, and
      // live events up to `until` are dropped as already replayed.
      subscription.pendingLive = [];
      this.add(subscription);
      try {
        until = await this.options.source.lastSequence();
      } catch (error) {
        subscription.end();
        this.options.log.error({ err: error }, 'cannot read the triage stream position');
        return errorResult('The triage feed is not available', 'SERVICE_UNAVAILABLE');
      }
      if (feed.after > until) {
        subscription.end();
        return errorResult(
          'The cursor is ahead of the triage feed (was the stream reset?)',
          'BAD_USER_INPUT',
        );
      }
      subscription.position = feed.after;
      void this.replay(subscription, feed.after, until);
    } else {
      this.add(subscription);
    }
    return subscription;
  }

  /** Ends every subscription (gateway shutdown). */
  closeAll(): void {
    for (const subscription of [...this.subscriptions]) subscription.end();
  }

  /** Ends the subscriptions of one connection (closed socket, slow consumer, expired token). */
  closeConnection(connection: FeedConnection, reason?: string): void {
    let any = false;
    for (const subscription of [...this.subscriptions]) {
      if (subscription.connection === connection) {
        subscription.end();
        any = true;
      }
    }
    if (reason && any) this.metrics.closed.inc({ reason });
  }

  private add(subscription: FeedSubscription): void {
    this.subscriptions.add(subscription);
    this.metrics.active.inc({ field: subscription.feed.field });
    subscription.whenEnded(() => {
      if (this.subscriptions.delete(subscription))
        this.metrics.active.dec({ field: subscription.feed.field });
    });
  }

  private fanOut(event: TriageFeedEvent): void {
    this.metrics.events.inc({ source: 'live' });
    let matched = 0;
    let fetches = 0;
    for (const subscription of this.subscriptions) {
      if (subscription.pendingLive) {
        subscription.pendingLive.push(event);
        if (subscription.pendingLive.length > this.options.bufferLimit) {
          subscription.connection.close(SLOW_CONSUMER_CLOSE.code, SLOW_CONSUMER_CLOSE.reason);
        }
        continue;
      }
      const outcome = this.consider(subscription, event);
      if (outcome === 'delivered' || outcome === 'fetched') matched += 1;
      if (outcome === 'fetched') fetches += 1;
    }
    if (matched > 0) this.metrics.fetchesPerEvent.observe(fetches);
  }

  /** Applies one event (in stream order) to one subscriber. */
  private consider(
    subscription: FeedSubscription,
    event: TriageFeedEvent,
  ): 'skipped' | 'delivered' | 'fetched' {
    if (subscription.done || event.sequence <= subscription.position) return 'skipped';
    subscription.position = event.sequence;
    if (!subscription.matches(event)) return 'skipped';
    const { result, fetched } = this.enrich(event, subscription);
    if (subscription.enqueue(result)) this.metrics.deliveries.inc();
    return fetched ? 'fetched' : 'delivered';
  }

  /** One fetch per (event, group); later members of the group share its shaped result. */
  private enrich(
    event: TriageFeedEvent,
    subscription: FeedSubscription,
  ): { result: Promise<ExecutionResult>; fetched: boolean } {
    const key = `${event.sequence}\u0000${subscription.groupKey}`;
    const cached = this.enrichments.get(key);
    if (cached) return { result: cached, fetched: false };
    const result = this.fetchAndShape(event, subscription);
    this.enrichments.set(key, result);
    if (this.enrichments.size > ENRICHMENT_CACHE_SIZE)
      this.enrichments.delete(this.enrichments.keys().next().value!);
    return { result, fetched: true };
  }

  private async fetchAndShape(
    event: TriageFeedEvent,
    subscription: FeedSubscription,
  ): Promise<ExecutionResult> {
    const { feed, connection } = subscription;
    const schema = this.options.schema();
    if (!schema) return errorResult('The gateway schema is not loaded', 'SERVICE_UNAVAILABLE');
    const cursor = String(event.sequence);
    const fetchOnce = () =>
      this.limiter.run(async () => {
        const end = this.metrics.enrichmentDuration.startTimer();
        try {
          const enriched = await withTimeout(
            this.options.execute(
              {
                query: feed.enrichment.query,
                variables: {
                  ...feed.enrichment.variables,
                  [feed.enrichment.hospitalVariable]: event.hospitalId,
                  [feed.enrichment.studyVariable]: event.studyId,
                },
              },
              { requestId: `feed-${event.sequence}-${connection.id}`, principal: connection.principal },
            ),
            ENRICHMENT_TIMEOUT_MS,
          );
          this.metrics.fetches.inc({ outcome: enriched.errors?.length ? 'error' : 'ok' });
          return enriched;
        } catch (error) {
          this.metrics.fetches.inc({ outcome: 'error' });
          throw error;
        } finally {
          end();
        }
      });
    for (let attempt = 1; ; attempt++) {
      try {
        const enriched = await fetchOnce();
        const transient = enriched.errors?.some((e) => TRANSIENT_CODES.has(String(e.extensions?.code)));
        if (transient && attempt === 1) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
          continue;
        }
        return shapeFeedEvent(schema, feed, cursor, enriched);
      } catch (error) {
        if (attempt === 1) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
          continue;
        }
        this.options.log.error(
          { err: error, streamSequence: event.sequence },
          'enriching a triage event failed',
        );
        return errorResult('The event could not be resolved', 'INTERNAL_SERVER_ERROR');
      }
    }
  }

  private async replay(subscription: FeedSubscription, after: number, until: number): Promise<void> {
    try {
      for await (const event of this.options.source.replay(after, until)) {
        if (subscription.done) return;
        this.metrics.events.inc({ source: 'replay' });
        this.consider(subscription, event);
        await subscription.waitForRoom();
      }
      if (subscription.done) return;
      // Hand over to the live stream: what arrived meanwhile, minus what the replay covered.
      const pending = subscription.pendingLive ?? [];
      subscription.pendingLive = null;
      for (const event of pending) this.consider(subscription, event);
    } catch (error) {
      if (subscription.done) return;
      this.options.log.error({ err: error, after }, 'replaying the triage feed failed');
      subscription.pendingLive = null;
      // Stop here, after telling the client: continuing live would hide the gap.
      subscription.enqueue(
        Promise.resolve(
          errorResult(
            'Replaying the missed events failed; resubscribe with the same cursor',
            'SERVICE_UNAVAILABLE',
          ),
        ),
      );
      subscription.finish();
    }
  }
}
