import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { stringifyDocument, type CombinedError } from 'urql';
import { useApi, useConnectionState } from '../app/context';
import type { TriageFeedSubscription, TriageFeedSubscriptionVariables } from '../gql/graphql';
import { subscribeResumable } from '../graphql/resumable';
import {
  applyFeedEvent,
  emptyFeed,
  feedVariables,
  markSeen,
  mergeSnapshot,
  replaceSnapshot,
  worklistVariables,
  type FeedEvent,
  type FeedState,
  type WorklistFilters,
  type WorklistItem,
} from './feed';
import { TriageFeedSubscription as TriageFeedDocument, WorklistQuery } from './worklist.graphql';

const PAGE_SIZE = 100;
/** While the live feed is unavailable the list is refreshed this often (ms). */
const POLL_INTERVAL = 20_000;
/** How long a live arrival keeps its "new" mark (ms). */
const FRESH_FOR = 10_000;

type Action =
  | { type: 'reset' }
  | { type: 'snapshot'; items: WorklistItem[]; replace: boolean }
  | { type: 'event'; event: FeedEvent }
  | { type: 'seen'; id: string };

function reducer(state: FeedState, action: Action): FeedState {
  switch (action.type) {
    case 'reset':
      return emptyFeed;
    case 'snapshot':
      // A poll replaces the list (items that left the server's filter must go); the first page merges.
      return action.replace ? replaceSnapshot(state, action.items) : mergeSnapshot(state, action.items);
    case 'event':
      return applyFeedEvent(state, action.event);
    case 'seen':
      return markSeen(state, action.id);
  }
}

export interface PageState {
  totalCount: number;
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface WorklistData {
  feed: FeedState;
  loading: boolean;
  error: CombinedError | null;
  /** Why live updates are unavailable (the list then refreshes every 20 s). */
  feedError: string | null;
  page: PageState | null;
  loadingMore: boolean;
  loadMore(): void;
}

function describeFeedError(error: unknown): string {
  if (Array.isArray(error)) {
    const messages = error.map((e) => (typeof e?.message === 'string' ? e.message : '')).filter(Boolean);
    if (messages.length > 0) return messages.join(' ');
  }
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { reason?: unknown }).reason === 'string') {
    return (error as { reason: string }).reason || 'the connection closed';
  }
  return 'the server refused the subscription';
}

const TRIAGE_FEED_QUERY = stringifyDocument(TriageFeedDocument);

/**
 * The live worklist: subscribes to `triageFeed` FIRST and then loads the first page, so nothing
 * that happens in between is lost (the merge keeps the newer version of each item). After a
 * network drop graphql-ws resubscribes with the last cursor as `after` (see resumable.ts).
 */
export function useWorklist(filters: WorklistFilters): WorklistData {
  const api = useApi();
  const connection = useConnectionState();
  const [feed, dispatch] = useReducer(reducer, emptyFeed);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<CombinedError | null>(null);
  const [feedError, setFeedError] = useState<string | null>(null);
  const [page, setPage] = useState<PageState | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [feedAttempt, setFeedAttempt] = useState(0);
  const filterKey = JSON.stringify(filters);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const loadFirstPage = useCallback(
    async (replace: boolean, isCurrent: () => boolean) => {
      const result = await api.urql
        .query(WorklistQuery, worklistVariables(filtersRef.current, PAGE_SIZE), { requestPolicy: 'network-only' })
        .toPromise();
      if (!isCurrent()) return;
      setLoading(false);
      setError(result.error ?? null);
      const connection = result.data?.worklist;
      if (!connection) return;
      dispatch({ type: 'snapshot', items: connection.edges.map((edge) => edge.node), replace });
      setPage({ totalCount: connection.totalCount, endCursor: connection.pageInfo.endCursor ?? null, hasNextPage: connection.pageInfo.hasNextPage });
    },
    [api],
  );

  useEffect(() => {
    let current = true;
    dispatch({ type: 'reset' });
    setLoading(true);
    setFeedError(null);
    setPage(null);
    const subscription = api.ws
      ? subscribeResumable<TriageFeedSubscription, TriageFeedSubscriptionVariables>(
          api.ws,
          {
            query: TRIAGE_FEED_QUERY,
            variables: feedVariables(filtersRef.current),
            cursorOf: (data) => data.triageFeed.cursor,
          },
          {
            next: (data) => current && dispatch({ type: 'event', event: data.triageFeed }),
            error: (reason) => current && setFeedError(describeFeedError(reason)),
          },
        )
      : null;
    void loadFirstPage(false, () => current);
    return () => {
      current = false;
      subscription?.dispose();
    };
  }, [api, filterKey, feedAttempt, loadFirstPage]);

  // Without the live feed, keep the list reasonably fresh by polling.
  useEffect(() => {
    if (!feedError) return;
    let current = true;
    const timer = setInterval(() => void loadFirstPage(true, () => current), POLL_INTERVAL);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [feedError, loadFirstPage]);

  // A subscription that failed (e.g. during a gateway deploy) is tried again after a reconnect.
  const drops = connection.drops;
  const previousDrops = useRef(drops);
  useEffect(() => {
    if (connection.status !== 'connected') return;
    if (feedError && drops !== previousDrops.current) setFeedAttempt((n) => n + 1);
    previousDrops.current = drops;
  }, [connection.status, drops, feedError]);

  // Live arrivals lose their "new" mark after a while (each on its own clock).
  const freshTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  useEffect(() => {
    for (const id of feed.fresh) {
      if (freshTimers.current.has(id)) continue;
      freshTimers.current.set(
        id,
        setTimeout(() => {
          freshTimers.current.delete(id);
          dispatch({ type: 'seen', id });
        }, FRESH_FOR),
      );
    }
  }, [feed.fresh]);
  useEffect(() => {
    const timers = freshTimers.current;
    return () => {
      timers.forEach(clearTimeout);
      timers.clear();
    };
  }, []);

  const loadMore = useCallback(() => {
    if (!page?.hasNextPage || !page.endCursor) return;
    setLoadingMore(true);
    const variables = worklistVariables(filtersRef.current, PAGE_SIZE, page.endCursor);
    void api.urql
      .query(WorklistQuery, variables, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        setLoadingMore(false);
        const connection = result.data?.worklist;
        if (result.error) setError(result.error);
        if (!connection) return;
        dispatch({ type: 'snapshot', items: connection.edges.map((edge) => edge.node), replace: false });
        setPage({ totalCount: connection.totalCount, endCursor: connection.pageInfo.endCursor ?? null, hasNextPage: connection.pageInfo.hasNextPage });
      });
  }, [api, page]);

  return { feed, loading, error, feedError, page, loadingMore, loadMore };
}
