import type { TriageStatus, WorklistItemFieldsFragment } from '../gql/graphql';

export type WorklistItem = WorklistItemFieldsFragment;

export interface FeedEvent {
  cursor: string;
  item: WorklistItem;
}

/**
 * The doctor's live list: the initial `worklist` page(s) and every `triageFeed` event merged by
 * item id. Immutable so React can compare states by reference.
 */
export interface FeedState {
  byId: ReadonlyMap<string, WorklistItem>;
  /** Cursors already applied; a replay after a reconnect may repeat some. */
  seenCursors: ReadonlySet<string>;
  /** The last cursor applied: what a reconnect resumes after. */
  lastCursor: string | null;
  /** Items that arrived live and were not on screen before (they animate in). */
  fresh: ReadonlySet<string>;
  /** Whether the first page is in; events before it are not "new" to the user, just early. */
  baselineLoaded: boolean;
}

/** How many cursors to remember for de-duplication; replays only cover a short drop. */
const SEEN_CURSOR_LIMIT = 2000;

export const emptyFeed: FeedState = {
  byId: new Map(),
  seenCursors: new Set(),
  lastCursor: null,
  fresh: new Set(),
  baselineLoaded: false,
};

function timeOf(iso: string): number {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : at;
}

/** The newer of two versions of one item; on a tie the incoming one wins (it was sent later). */
function newer(existing: WorklistItem | undefined, incoming: WorklistItem): WorklistItem {
  if (!existing) return incoming;
  return timeOf(existing.updatedAt) > timeOf(incoming.updatedAt) ? existing : incoming;
}

/**
 * Adds a page from the `worklist` query. A feed event may already have delivered a newer version
 * of an item (the query and the subscription race), so the newer `updatedAt` wins.
 */
export function mergeSnapshot(state: FeedState, items: readonly WorklistItem[]): FeedState {
  const byId = new Map(state.byId);
  for (const item of items) byId.set(item.id, newer(byId.get(item.id), item));
  return { ...state, byId, baselineLoaded: true };
}

/** Replaces the list by a fresh page (polling without the feed), keeping what the feed knows newer. */
export function replaceSnapshot(state: FeedState, items: readonly WorklistItem[]): FeedState {
  const byId = new Map<string, WorklistItem>();
  for (const item of items) byId.set(item.id, newer(state.byId.get(item.id), item));
  const fresh = new Set([...state.fresh].filter((id) => byId.has(id)));
  return { ...state, byId, fresh, baselineLoaded: true };
}

export function applyFeedEvent(state: FeedState, event: FeedEvent): FeedState {
  if (state.seenCursors.has(event.cursor)) return state;
  const seenCursors = new Set(state.seenCursors);
  seenCursors.add(event.cursor);
  if (seenCursors.size > SEEN_CURSOR_LIMIT) {
    const oldest = seenCursors.values().next().value;
    if (oldest !== undefined) seenCursors.delete(oldest);
  }
  const existing = state.byId.get(event.item.id);
  const byId = new Map(state.byId);
  byId.set(event.item.id, newer(existing, event.item));
  let fresh = state.fresh;
  if (!existing && state.baselineLoaded) {
    const added = new Set(state.fresh);
    added.add(event.item.id);
    fresh = added;
  }
  return { ...state, byId, seenCursors, lastCursor: event.cursor, fresh };
}

export function applyFeedEvents(state: FeedState, events: readonly FeedEvent[]): FeedState {
  return events.reduce(applyFeedEvent, state);
}

/** Once the entry animation ran, the item is no longer "new". */
export function markSeen(state: FeedState, id: string): FeedState {
  if (!state.fresh.has(id)) return state;
  const fresh = new Set(state.fresh);
  fresh.delete(id);
  return { ...state, fresh };
}

export interface WorklistFilters {
  /** null: every hospital where the user is a doctor. */
  hospitalId: string | null;
  /** In [0, 1]; null: any risk, including items without one. */
  minRisk: number | null;
  /** null: every status. */
  status: TriageStatus | null;
}

export const defaultFilters: WorklistFilters = { hospitalId: null, minRisk: null, status: 'WAITING' };

/**
 * The feed only filters by hospital and risk; an item whose status changes (a colleague reviewed
 * it) must leave a "waiting" list, so every filter is also applied on the client.
 */
export function matchesFilters(item: WorklistItem, filters: WorklistFilters): boolean {
  if (filters.hospitalId != null && item.hospitalId !== filters.hospitalId) return false;
  if (filters.minRisk != null && (item.risk == null || item.risk < filters.minRisk)) return false;
  if (filters.status != null && item.status !== filters.status) return false;
  return true;
}

/** Highest priority first; then highest risk (unknown risk last); then the longest-waiting study. */
export function compareWorklistItems(a: WorklistItem, b: WorklistItem): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const riskA = a.risk ?? -1;
  const riskB = b.risk ?? -1;
  if (riskA !== riskB) return riskB - riskA;
  const received = timeOf(a.receivedAt) - timeOf(b.receivedAt);
  if (received !== 0) return received;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function visibleItems(state: FeedState, filters: WorklistFilters): WorklistItem[] {
  return [...state.byId.values()].filter((item) => matchesFilters(item, filters)).sort(compareWorklistItems);
}

export interface WaitingCounts {
  total: number;
  byHospital: ReadonlyMap<string, number>;
}

/** Studies waiting for a doctor among those the hospital and risk filters select (status aside). */
export function waitingCounts(state: FeedState, filters: WorklistFilters): WaitingCounts {
  const byHospital = new Map<string, number>();
  let total = 0;
  const scope = { ...filters, status: 'WAITING' as const };
  for (const item of state.byId.values()) {
    if (!matchesFilters(item, scope)) continue;
    total += 1;
    byHospital.set(item.hospitalId, (byHospital.get(item.hospitalId) ?? 0) + 1);
  }
  return { total, byHospital };
}

/** Variables of the `worklist` query for these filters (server-side filtering of the first page). */
export function worklistVariables(filters: WorklistFilters, first: number, after: string | null = null) {
  return {
    first,
    after,
    hospitalIds: filters.hospitalId ? [filters.hospitalId] : null,
    minRisk: filters.minRisk,
    status: filters.status ? [filters.status] : null,
  };
}

/** Variables of `triageFeed`; status is left to the client so status changes still arrive. */
export function feedVariables(filters: WorklistFilters) {
  return {
    hospitalIds: filters.hospitalId ? [filters.hospitalId] : null,
    minRisk: filters.minRisk,
  };
}

/** What a screen reader hears when items arrive live. */
export function announceArrivals(items: readonly WorklistItem[]): string | null {
  if (items.length === 0) return null;
  if (items.length === 1) {
    const [item] = items as [WorklistItem];
    const risk = item.risk == null ? 'risk pending' : `risk ${Math.round(item.risk * 100)} percent`;
    return `New study at ${item.hospital.name}, ${risk}.`;
  }
  return `${items.length} new studies on the worklist.`;
}
