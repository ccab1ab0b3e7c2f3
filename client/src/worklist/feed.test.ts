import { describe, expect, it } from 'vitest';
import {
  announceArrivals,
  applyFeedEvent,
  applyFeedEvents,
  compareWorklistItems,
  defaultFilters,
  emptyFeed,
  feedVariables,
  markSeen,
  matchesFilters,
  mergeSnapshot,
  replaceSnapshot,
  visibleItems,
  waitingCounts,
  worklistVariables,
  type WorklistItem,
} from './feed';

let counter = 0;
function item(overrides: Partial<WorklistItem> & { id?: string } = {}): WorklistItem {
  counter += 1;
  const id = overrides.id ?? `h1:s${counter}`;
  const hospitalId = overrides.hospitalId ?? id.split(':')[0]!;
  return {
    id,
    hospitalId,
    status: 'WAITING',
    priority: 50,
    risk: 0.5,
    modelVersion: 'v1',
    receivedAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    hospital: { id: hospitalId, name: hospitalId === 'h1' ? "St. Mary's" : 'General' },
    study: {
      id: id.split(':')[1] ?? id,
      hospitalId,
      accessionNumber: `ACC-${counter}`,
      acquiredAt: '2025-01-01T09:00:00.000Z',
      patient: { id: 'p1', name: 'Jane Doe', mrn: 'M1', birthDate: '1970-01-01', sex: 'FEMALE' },
      prediction: null,
    },
    ...overrides,
  };
}

const ids = (items: WorklistItem[]) => items.map((i) => i.id);

describe('worklist ordering', () => {
  it('puts the highest priority first, then the highest risk, then the longest waiting', () => {
    const low = item({ id: 'h1:low', priority: 10, risk: 0.9 });
    const high = item({ id: 'h1:high', priority: 90, risk: 0.2 });
    const riskier = item({ id: 'h1:riskier', priority: 50, risk: 0.8 });
    const older = item({ id: 'h1:older', priority: 50, risk: 0.4, receivedAt: '2025-01-01T08:00:00.000Z' });
    const newer = item({ id: 'h1:newer', priority: 50, risk: 0.4, receivedAt: '2025-01-01T09:00:00.000Z' });
    const unknown = item({ id: 'h1:unknown', priority: 50, risk: null });
    const sorted = [low, newer, unknown, high, older, riskier].sort(compareWorklistItems);
    expect(ids(sorted)).toEqual(['h1:high', 'h1:riskier', 'h1:older', 'h1:newer', 'h1:unknown', 'h1:low']);
  });
});

describe('merging feed events', () => {
  it('adds new items, updates known ones by id and reorders the list', () => {
    let state = mergeSnapshot(emptyFeed, [item({ id: 'h1:a', priority: 40 }), item({ id: 'h1:b', priority: 30 })]);
    state = applyFeedEvent(state, { cursor: '1', item: item({ id: 'h1:c', priority: 99, updatedAt: '2025-01-01T10:01:00.000Z' }) });
    state = applyFeedEvent(state, { cursor: '2', item: item({ id: 'h1:b', priority: 60, updatedAt: '2025-01-01T10:02:00.000Z' }) });
    expect(ids(visibleItems(state, defaultFilters))).toEqual(['h1:c', 'h1:b', 'h1:a']);
    expect(state.byId.size).toBe(3);
    expect(state.lastCursor).toBe('2');
  });

  it('ignores an event replayed after a reconnect (same cursor)', () => {
    const first = applyFeedEvent(mergeSnapshot(emptyFeed, []), { cursor: '7', item: item({ id: 'h1:a', priority: 80 }) });
    const replay = applyFeedEvent(first, { cursor: '7', item: item({ id: 'h1:a', priority: 10 }) });
    expect(replay).toBe(first);
    expect(replay.byId.get('h1:a')?.priority).toBe(80);
  });

  it('keeps the newer version when the first page arrives after a live update of the same item', () => {
    const live = applyFeedEvent(emptyFeed, {
      cursor: '3',
      item: item({ id: 'h1:a', status: 'REVIEWED', updatedAt: '2025-01-01T10:05:00.000Z' }),
    });
    const merged = mergeSnapshot(live, [item({ id: 'h1:a', status: 'WAITING', updatedAt: '2025-01-01T10:00:00.000Z' })]);
    expect(merged.byId.get('h1:a')?.status).toBe('REVIEWED');
  });

  it('does not let an out-of-date event overwrite a newer item', () => {
    const state = mergeSnapshot(emptyFeed, [item({ id: 'h1:a', risk: 0.9, updatedAt: '2025-01-01T10:05:00.000Z' })]);
    const next = applyFeedEvent(state, { cursor: '4', item: item({ id: 'h1:a', risk: 0.1, updatedAt: '2025-01-01T10:00:00.000Z' }) });
    expect(next.byId.get('h1:a')?.risk).toBe(0.9);
    expect(next.lastCursor).toBe('4');
  });

  it('marks only live arrivals after the first page as new, and forgets the mark', () => {
    const early = applyFeedEvent(emptyFeed, { cursor: '1', item: item({ id: 'h1:early' }) });
    expect(early.fresh.size).toBe(0);
    const loaded = mergeSnapshot(early, [item({ id: 'h1:a' })]);
    const arrived = applyFeedEvents(loaded, [
      { cursor: '2', item: item({ id: 'h1:new' }) },
      { cursor: '3', item: item({ id: 'h1:a', updatedAt: '2025-01-01T11:00:00.000Z' }) },
    ]);
    expect([...arrived.fresh]).toEqual(['h1:new']);
    expect(markSeen(arrived, 'h1:new').fresh.size).toBe(0);
  });

  it('removes a reviewed study from the waiting list for every watcher', () => {
    const state = mergeSnapshot(emptyFeed, [item({ id: 'h1:a' }), item({ id: 'h1:b' })]);
    const reviewed = applyFeedEvent(state, {
      cursor: '9',
      item: item({ id: 'h1:a', status: 'REVIEWED', updatedAt: '2025-01-01T10:30:00.000Z' }),
    });
    expect(ids(visibleItems(reviewed, defaultFilters))).toEqual(['h1:b']);
    expect(waitingCounts(reviewed, defaultFilters).total).toBe(1);
  });

  it('replaces the list on a poll but keeps what the feed knows is newer', () => {
    const state = applyFeedEvent(mergeSnapshot(emptyFeed, [item({ id: 'h1:gone' })]), {
      cursor: '1',
      item: item({ id: 'h1:kept', risk: 0.95, updatedAt: '2025-01-01T12:00:00.000Z' }),
    });
    const polled = replaceSnapshot(state, [item({ id: 'h1:kept', risk: 0.3, updatedAt: '2025-01-01T10:00:00.000Z' })]);
    expect([...polled.byId.keys()]).toEqual(['h1:kept']);
    expect(polled.byId.get('h1:kept')?.risk).toBe(0.95);
  });
});

describe('filters and counts', () => {
  const items = [
    item({ id: 'h1:a', risk: 0.9 }),
    item({ id: 'h1:b', risk: 0.3 }),
    item({ id: 'h2:c', risk: 0.8 }),
    item({ id: 'h2:d', risk: null, status: 'AWAITING_PREDICTION' }),
    item({ id: 'h2:e', risk: 0.7, status: 'REVIEWED' }),
  ];
  const state = mergeSnapshot(emptyFeed, items);

  it('filters by hospital, minimum risk and status', () => {
    expect(ids(visibleItems(state, { hospitalId: 'h2', minRisk: null, status: null })).sort()).toEqual(['h2:c', 'h2:d', 'h2:e']);
    expect(ids(visibleItems(state, { hospitalId: null, minRisk: 0.75, status: 'WAITING' }))).toEqual(['h1:a', 'h2:c']);
    expect(visibleItems(state, { hospitalId: null, minRisk: 0.1, status: null }).some((i) => i.risk === null)).toBe(false);
    expect(matchesFilters(items[3]!, { hospitalId: null, minRisk: null, status: null })).toBe(true);
  });

  it('counts waiting studies per hospital within the hospital and risk filters', () => {
    const all = waitingCounts(state, { hospitalId: null, minRisk: null, status: 'REVIEWED' });
    expect(all.total).toBe(3);
    expect(all.byHospital.get('h1')).toBe(2);
    expect(all.byHospital.get('h2')).toBe(1);
    expect(waitingCounts(state, { hospitalId: 'h1', minRisk: 0.5, status: null }).total).toBe(1);
  });

  it('sends hospital and risk to the server, and status only with the query', () => {
    const filters = { hospitalId: 'h2', minRisk: 0.5, status: 'WAITING' as const };
    expect(worklistVariables(filters, 100)).toEqual({ first: 100, after: null, hospitalIds: ['h2'], minRisk: 0.5, status: ['WAITING'] });
    expect(feedVariables(filters)).toEqual({ hospitalIds: ['h2'], minRisk: 0.5 });
    expect(feedVariables(defaultFilters)).toEqual({ hospitalIds: null, minRisk: null });
  });

  it('announces arrivals in words', () => {
    expect(announceArrivals([])).toBeNull();
    expect(announceArrivals([item({ id: 'h1:x', risk: 0.87 })])).toBe("New study at St. Mary's, risk 87 percent.");
    expect(announceArrivals([item(), item()])).toBe('2 new studies on the worklist.');
  });
});
