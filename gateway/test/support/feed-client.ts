import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export const wsUrl = (gatewayUrl: string) => `${gatewayUrl.replace(/^http/, 'ws')}/graphql`;

export interface FeedItem {
  id: string;
  hospitalId: string;
  status: string;
  risk: number | null;
  study?: { id: string; patient?: { name: string } | null } | null;
  [field: string]: unknown;
}

export interface FeedEvent {
  cursor: string;
  item: FeedItem;
}

export const FEED = /* GraphQL */ `
  subscription Feed($hospitalIds: [ID!], $minRisk: Float, $after: Cursor) {
    triageFeed(hospitalIds: $hospitalIds, minRisk: $minRisk, after: $after) {
      cursor
      item {
        id
        hospitalId
        status
        risk
        hospital {
          name
        }
        study {
          id
          accessionNumber
          patient {
            name
          }
        }
      }
    }
  }
`;

/**
 * A graphql-ws client (with the `ws` package) that records what it receives: events, errors,
 * completion and the socket's close code and reason.
 */
export class FeedClient {
  readonly events: FeedEvent[] = [];
  readonly results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
  readonly errors: unknown[] = [];
  closed?: { code: number; reason: string };
  completed = false;
  private readonly client: Client;
  private waiters: (() => void)[] = [];

  constructor(
    gatewayUrl: string,
    token: string | null,
    private readonly field = 'triageFeed',
  ) {
    this.client = createClient({
      url: wsUrl(gatewayUrl),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          this.closed = { code, reason: String(reason) };
          this.notify();
        },
      },
    });
  }

  subscribe(query: string, variables: Record<string, unknown> = {}): this {
    this.client.subscribe<Record<string, FeedEvent>>(
      { query, variables },
      {
        next: (result) => {
          this.results.push(result);
          const event = result.data?.[this.field];
          if (event) this.events.push(event);
          this.notify();
        },
        error: (error) => {
          this.errors.push(error);
          this.notify();
        },
        complete: () => {
          this.completed = true;
          this.notify();
        },
      },
    );
    return this;
  }

  /** Runs a query or mutation over the socket. */
  async query<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<FormattedExecutionResult<T, unknown>> {
    let result: FormattedExecutionResult<T, unknown> | undefined;
    await new Promise<void>((resolve, reject) => {
      this.client.subscribe<T>(
        { query, variables },
        { next: (r) => (result = r), error: reject, complete: resolve },
      );
    });
    return result!;
  }

  studyIds(): string[] {
    return this.events.map((e) => e.item.id.split(':')[1]!);
  }

  lastCursor(): string | undefined {
    return this.events.at(-1)?.cursor;
  }

  /** Waits until `check` holds, re-checking on every message. */
  async until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const failed = this.results.filter((r) => r.errors?.length);
        throw new Error(
          `timed out waiting for ${what} (${this.events.length} events, results with errors ${JSON.stringify(failed.slice(0, 3))}, errors ${JSON.stringify(this.errors)}, closed ${JSON.stringify(this.closed)})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }
}
