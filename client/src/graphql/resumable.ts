import type { Client as WsClient, FormattedExecutionResult } from 'graphql-ws';

export interface ResumableOptions<TData, TVariables extends Record<string, unknown>> {
  query: string;
  variables: TVariables;
  /** The event's stream position, read from each result. */
  cursorOf: (data: TData) => string | null | undefined;
  /** Where to start; later the last cursor received. */
  after?: string | null;
}

export interface ResumableSink<TData> {
  next(data: TData, cursor: string | null): void;
  error(error: unknown): void;
  complete?(): void;
}

export interface ResumableSubscription {
  /** The cursor of the last event received (what a reconnect resumes after). */
  lastCursor(): string | null;
  dispose(): void;
}

/**
 * The payload graphql-ws sends for a subscription. graphql-ws re-sends the SAME payload object
 * on every reconnect, so `variables` is a getter: each (re)subscribe carries the latest cursor as
 * `after`, and the server replays exactly what was missed during the drop.
 */
export function resumablePayload<TVariables extends Record<string, unknown>>(
  query: string,
  variables: TVariables,
  cursor: () => string | null,
): { query: string; readonly variables: TVariables & { after?: string } } {
  return {
    query,
    get variables() {
      const after = cursor();
      return (after == null ? { ...variables } : { ...variables, after }) as TVariables & { after?: string };
    },
  };
}

export function subscribeResumable<TData, TVariables extends Record<string, unknown>>(
  client: Pick<WsClient, 'subscribe'>,
  options: ResumableOptions<TData, TVariables>,
  sink: ResumableSink<TData>,
): ResumableSubscription {
  let last: string | null = options.after ?? null;
  const payload = resumablePayload(options.query, options.variables, () => last);
  const dispose = client.subscribe<TData>(payload, {
    next(result: FormattedExecutionResult<TData, unknown>) {
      if (result.errors?.length) {
        sink.error(result.errors);
        return;
      }
      if (!result.data) return;
      const cursor = options.cursorOf(result.data) ?? null;
      if (cursor != null) last = cursor;
      sink.next(result.data, cursor);
    },
    error: (error) => sink.error(error),
    complete: () => sink.complete?.(),
  });
  return { lastCursor: () => last, dispose };
}
