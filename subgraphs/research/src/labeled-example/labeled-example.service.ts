import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '@triage/auth';
import { decodeExampleCursor, encodeExampleCursor } from './labeled-example.cursor.js';
import { LabeledExample } from './labeled-example.entity.js';
import { EXAMPLES_MAX_PAGE, type ResearchExampleEdge } from './labeled-example.inputs.js';
import type { Finding } from './research-enums.js';

export interface ExamplesQuery {
  first: number;
  after?: string | null;
  finding?: Finding | null;
  hospitalId?: string | null;
  modelVersion?: string | null;
}

export interface ExamplesPage {
  edges: ResearchExampleEdge[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

export async function findExamplesPage(em: EntityManager, query: ExamplesQuery): Promise<ExamplesPage> {
  if (!Number.isInteger(query.first) || query.first < 0 || query.first > EXAMPLES_MAX_PAGE) {
    throw badInput(`first must be between 0 and ${EXAMPLES_MAX_PAGE}`);
  }
  const filter: FilterQuery<LabeledExample> = {};
  if (query.finding) filter.finding = query.finding;
  if (query.hospitalId) filter.hospitalId = query.hospitalId;
  if (query.modelVersion) filter.modelVersion = query.modelVersion;
  const where: FilterQuery<LabeledExample> = { ...filter };
  if (query.after) {
    const { streamSequence, exampleId } = decodeExampleCursor(query.after);
    where.$or = [{ streamSequence: { $lt: streamSequence } }, { streamSequence, exampleId: { $lt: exampleId } }];
  }
  const rows = await em.find(LabeledExample, where, {
    orderBy: [{ streamSequence: 'desc' }, { exampleId: 'desc' }],
    limit: query.first + 1,
  });
  const edges = rows.slice(0, query.first).map((node) => ({ cursor: encodeExampleCursor(node), node }));
  let counted: Promise<number> | undefined;
  return {
    edges,
    endCursor: edges.at(-1)?.cursor ?? null,
    hasNextPage: rows.length > query.first,
    totalCount: () => (counted ??= em.count(LabeledExample, filter)),
  };
}
