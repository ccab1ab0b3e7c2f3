import type { EntityManager } from '@mikro-orm/postgresql';
import type { Finding } from '../labeled-example/research-enums.js';
import type { ResearchSummary } from './research-summary.type.js';

const FINDING_ORDER: Finding[] = ['pneumonia', 'normal', 'uncertain'];

export async function researchSummary(em: EntityManager): Promise<ResearchSummary> {
  const knex = em.getKnex();
  const [findings, hospitals, models] = await Promise.all([
    knex('labeled_example').select('finding').count('* as count').groupBy('finding'),
    knex('labeled_example').select('hospital_id').count('* as count').groupBy('hospital_id').orderBy([
      { column: 'count', order: 'desc' },
      { column: 'hospital_id', order: 'asc' },
    ]),
    knex('labeled_example').select('model_version').count('* as count').groupBy('model_version').orderBy([
      { column: 'count', order: 'desc' },
      { column: 'model_version', order: 'asc', nulls: 'last' },
    ]),
  ]);
  const byFindingMap = new Map(findings.map((row) => [row.finding as Finding, Number(row.count)]));
  const byFinding = FINDING_ORDER.map((finding) => ({ finding, count: byFindingMap.get(finding) ?? 0 }));
  return {
    total: byFinding.reduce((sum, row) => sum + row.count, 0),
    byFinding,
    byHospital: hospitals.map((row) => ({ hospitalId: String(row.hospital_id), count: Number(row.count) })),
    byModelVersion: models.map((row) => ({ modelVersion: (row.model_version as string | null) ?? null, count: Number(row.count) })),
  };
}
