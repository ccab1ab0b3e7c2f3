import type { FilterQuery } from '@mikro-orm/core';
import { badInput } from '@triage/auth';
import type { EntityManager } from '@mikro-orm/postgresql';
import { studyKeyString, type StudyKey } from '../study/study.type.js';
import type { TriageStatus } from './triage-state.js';
import { decodeWorklistCursor, encodeWorklistCursor, type WorklistPosition } from './worklist-cursor.js';
import { WorklistItem } from './worklist-item.entity.js';

export const WORKLIST_DEFAULT_PAGE = 50;
export const WORKLIST_MAX_PAGE = 200;

export interface WorklistQuery {
  /** Already authorized: only hospitals the caller may read. */
  hospitalIds: string[];
  first: number;
  after?: string | null;
  minRisk?: number | null;
  status?: readonly TriageStatus[] | null;
}

export interface WorklistPage {
  edges: { cursor: string; node: WorklistItem }[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** Counted only when asked for. */
  totalCount: () => Promise<number>;
}

const ORDER = [
  { priority: 'desc' },
  { receivedAt: 'asc' },
  { hospitalId: 'asc' },
  { studyId: 'asc' },
] as const;

/** Rows strictly after `p` in the worklist order (keyset pagination, no offsets). */
function after(p: WorklistPosition): FilterQuery<WorklistItem> {
  return {
    $or: [
      { priority: { $lt: p.priority } },
      { priority: p.priority, receivedAt: { $gt: p.receivedAt } },
      { priority: p.priority, receivedAt: p.receivedAt, hospitalId: { $gt: p.hospitalId } },
      { priority: p.priority, receivedAt: p.receivedAt, hospitalId: p.hospitalId, studyId: { $gt: p.studyId } },
    ],
  };
}

export async function findWorklistPage(em: EntityManager, query: WorklistQuery): Promise<WorklistPage> {
  if (!Number.isInteger(query.first) || query.first < 0 || query.first > WORKLIST_MAX_PAGE) {
    throw badInput(`first must be between 0 and ${WORKLIST_MAX_PAGE}`);
  }
  if (query.minRisk != null && !(query.minRisk >= 0 && query.minRisk <= 1)) {
    throw badInput('minRisk must be between 0 and 1');
  }
  const filter: FilterQuery<WorklistItem> = { hospitalId: { $in: query.hospitalIds } };
  if (query.status?.length) filter.status = { $in: [...query.status] };
  // Items without a prediction have no risk and never pass a risk threshold.
  if (query.minRisk != null) filter.risk = { $ne: null, $gte: query.minRisk };

  const where: FilterQuery<WorklistItem> = query.after ? { $and: [filter, after(decodeWorklistCursor(query.after))] } : filter;
  // One extra row tells whether another page exists.
  const rows =
    query.first === 0 ? [] : await em.find(WorklistItem, where, { orderBy: [...ORDER], limit: query.first + 1 });
  const nodes = rows.slice(0, query.first);
  const edges = nodes.map((node) => ({ cursor: encodeWorklistCursor(node), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    endCursor: edges.at(-1)?.cursor ?? null,
    hasNextPage: rows.length > query.first,
    totalCount: () => (counted ??= em.count(WorklistItem, filter)),
  };
}

/** Triage rows of many studies in one query, in the order of `keys` (null where unknown). */
export async function findWorklistItems(em: EntityManager, keys: readonly StudyKey[]): Promise<(WorklistItem | null)[]> {
  if (keys.length === 0) return [];
  const rows = await em.find(WorklistItem, {
    $or: keys.map(({ hospitalId, studyId }) => ({ hospitalId, studyId })),
  });
  const byKey = new Map(rows.map((row) => [studyKeyString(row), row]));
  return keys.map((key) => byKey.get(studyKeyString(key)) ?? null);
}
