import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '@triage/auth';
import type { ClassType } from 'type-graphql';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

interface Position {
  createdAt: Date;
  id: string;
}

/** Opaque keyset cursor: the (createdAt, id) of the last row seen. Stable under inserts. */
export function encodeCursor({ createdAt, id }: Position): string {
  return Buffer.from(JSON.stringify(['v1', createdAt.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 3 && decoded[0] === 'v1') {
      const [, at, id] = decoded as [string, unknown, unknown];
      const createdAt = typeof at === 'string' ? new Date(at) : new Date(NaN);
      if (!Number.isNaN(createdAt.getTime()) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) {
        return { createdAt, id };
      }
    }
  } catch {
    // fall through: any undecodable cursor gets the same answer
  }
  throw badInput('after is not a valid cursor');
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

/** Newest first, by (createdAt, id) descending; fetches one extra row to learn hasNextPage. */
export async function paginate<T extends Position & object>(
  em: EntityManager,
  entity: ClassType<T>,
  where: FilterQuery<T>,
  { first, after }: PageRequest,
): Promise<Page<T>> {
  const limit = pageSize(first);
  const position = after ? decodeCursor(after) : null;
  const afterPosition = position
    ? {
        $or: [
          { createdAt: { $lt: position.createdAt } },
          { createdAt: position.createdAt, id: { $lt: position.id } },
        ],
      }
    : {};
  const [rows, totalCount] = await Promise.all([
    em.find(entity, { $and: [where, afterPosition] } as FilterQuery<T>, {
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] as never,
      limit: limit + 1,
    }),
    em.count(entity, where),
  ]);
  return pageOf(rows, limit, totalCount);
}

/** The page of `limit` rows from `rows` (newest first, fetched with one extra row to learn hasNextPage). */
export function pageOf<T extends Position>(rows: T[], limit: number, totalCount: number): Page<T> {
  const edges = rows.slice(0, limit).map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > limit },
    totalCount,
  };
}
