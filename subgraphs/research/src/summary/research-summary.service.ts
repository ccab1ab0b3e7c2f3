import type { EntityManager } from '@mikro-orm/postgresql';
import type { Finding } from '../labeled-example/research-enums.js';
import { bucketStart } from '../agreement/agreement.service.js';
import type { AgreementBucket } from '../agreement/agreement.type.js';
import type { ResearchGrowthPoint, ResearchSummary } from './research-summary.type.js';

const FINDING_ORDER: Finding[] = ['pneumonia', 'normal', 'uncertain'];

export async function researchSummary(em: EntityManager): Promise<ResearchSummary> {
  const knex = em.getKnex();
  const [findings, hospitals, models] = await Promise.all([
    knex('labeled_example').select('finding').count('* as count').groupBy('finding'),
    knex('labeled_example')
      .select('hospital_id')
      .count('* as count')
      .select(knex.raw(`count(*) filter (where finding = 'pneumonia') as pneumonia`))
      .select(knex.raw(`count(*) filter (where finding = 'normal') as normal`))
      .select(knex.raw(`count(*) filter (where finding = 'uncertain') as uncertain`))
      .groupBy('hospital_id')
      .orderBy([
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
    byHospital: hospitals.map((row) => ({
      hospitalId: String(row.hospital_id),
      count: Number(row.count),
      pneumonia: Number(row.pneumonia),
      normal: Number(row.normal),
      uncertain: Number(row.uncertain),
    })),
    byModelVersion: models.map((row) => ({ modelVersion: (row.model_version as string | null) ?? null, count: Number(row.count) })),
  };
}

/** Examples per bucket of when their finding was recorded (UTC days, or weeks from Monday), with the running total. */
export async function labeledExampleGrowth(em: EntityManager, bucket: AgreementBucket): Promise<ResearchGrowthPoint[]> {
  const rows = (await em
    .getKnex()('labeled_example')
    .select(em.getKnex().raw(`to_char(labeled_at at time zone 'UTC', 'YYYY-MM-DD') as day`))
    .count('* as count')
    .groupBy('day')
    .orderBy('day')) as { day: string; count: string | number }[];
  const points: ResearchGrowthPoint[] = [];
  let total = 0;
  for (const row of rows) {
    const day = new Date(`${row.day}T00:00:00.000Z`);
    const start = bucketStart(day, bucket);
    const added = Number(row.count);
    total += added;
    const last = points.at(-1);
    if (last && last.bucketStart.getTime() === start.getTime()) {
      last.added += added;
      last.total = total;
    } else points.push({ bucketStart: start, added, total });
  }
  return points;
}
