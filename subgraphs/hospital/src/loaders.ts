import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { type Page, type PageRequest, pageOf, pageSize, paginate } from './common/pagination.js';
import { isUuid } from './common/validation.js';
import { Patient } from './patient/patient.entity.js';
import { Review } from './review/review.entity.js';
import { Study } from './study/study.entity.js';

export interface HospitalLoaders {
  patientById: DataLoader<string, Patient | null>;
  studyById: DataLoader<string, Study | null>;
  /** A page of a patient's studies, newest first: first pages of many patients load together. */
  studiesOfPatient: DataLoader<PatientStudiesKey, Page<Study>, string>;
  /** Reviews of a study, newest first. */
  reviewsByStudyId: DataLoader<string, Review[]>;
}

/** One `WHERE id IN (...)` per entity type per tick, results in the order of the keys. */
function byIdLoader<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (keys) => {
      const ids = [...new Set(keys.filter(isUuid).map((k) => k.toLowerCase()))];
      const found = ids.length ? await load(ids) : [];
      const byId = new Map(found.map((row) => [row.id, row]));
      return keys.map((key) => byId.get(key.toLowerCase()) ?? null);
    },
    { maxBatchSize: 500 },
  );
}

export interface PatientStudiesKey {
  patientId: string;
  page: PageRequest;
}

/**
 * First pages of several patients' studies in two queries (the rows ranked per patient by a window
 * function, and the counts), instead of two per patient. Pages after a cursor (rare: one patient
 * at a time) are read one by one.
 */
function studiesOfPatientLoader(em: EntityManager): DataLoader<PatientStudiesKey, Page<Study>, string> {
  return new DataLoader<PatientStudiesKey, Page<Study>, string>(
    async (keys) => {
      // A bad `first` or cursor fails its own field only, not the other patients of the batch.
      const pages = new Map<PatientStudiesKey, Page<Study> | Error>();
      const firstPages = new Map<number, PatientStudiesKey[]>();
      for (const key of keys) {
        if (key.page.after) continue;
        try {
          const limit = pageSize(key.page.first);
          firstPages.set(limit, [...(firstPages.get(limit) ?? []), key]);
        } catch (error) {
          pages.set(key, error as Error);
        }
      }
      await Promise.all([
        ...keys
          .filter((key) => key.page.after)
          .map(async (key) => {
            try {
              pages.set(key, await paginate(em, Study, { patient: key.patientId }, key.page));
            } catch (error) {
              pages.set(key, error as Error);
            }
          }),
        ...[...firstPages].map(async ([limit, group]) => {
          const ids = [...new Set(group.map((key) => key.patientId))];
          const knex = em.getKnex();
          const ranked = knex('study as s')
            .select('s.*', knex.raw('row_number() over (partition by s.patient_id order by s.created_at desc, s.id desc) as page_rank'))
            .whereIn('s.patient_id', ids);
          const [rows, counts] = await Promise.all([
            em.execute<Record<string, unknown>[]>(
              knex.select('*').from(ranked.as('ranked')).where('page_rank', '<=', limit + 1).orderBy(['patient_id', 'page_rank']),
            ),
            em.execute<{ patient_id: string; n: string }[]>(
              knex('study').select('patient_id').count({ n: '*' }).whereIn('patient_id', ids).groupBy('patient_id'),
            ),
          ]);
          // em.map merges each row into the request's identity map (a study already loaded in this
          // request is refreshed with the same committed values): reads only, nothing is flushed.
          const studies = new Map<string, Study[]>(ids.map((id) => [id, []]));
          for (const { page_rank: _rank, ...row } of rows) studies.get(row.patient_id as string)?.push(em.map(Study, row));
          const totals = new Map(counts.map((c) => [c.patient_id, Number(c.n)]));
          for (const key of group) pages.set(key, pageOf(studies.get(key.patientId)!, limit, totals.get(key.patientId) ?? 0));
        }),
      ]);
      return keys.map((key) => pages.get(key)!);
    },
    { maxBatchSize: 200, cacheKeyFn: ({ patientId, page }) => JSON.stringify([patientId, page.first ?? null, page.after ?? null]) },
  );
}

/** Per-request loaders (they cache), created with the request's EntityManager fork. */
export function createLoaders(em: EntityManager): HospitalLoaders {
  return {
    patientById: byIdLoader((ids) => em.find(Patient, { id: { $in: ids } })),
    studyById: byIdLoader((ids) => em.find(Study, { id: { $in: ids } })),
    studiesOfPatient: studiesOfPatientLoader(em),
    reviewsByStudyId: new DataLoader<string, Review[]>(
      async (studyIds) => {
        const reviews = await em.find(
          Review,
          { study: { $in: [...studyIds] } },
          { orderBy: [{ reviewedAt: 'desc' }, { id: 'desc' }] },
        );
        const byStudy = new Map<string, Review[]>(studyIds.map((id) => [id, []]));
        for (const review of reviews) byStudy.get(review.study.id)?.push(review);
        return studyIds.map((id) => byStudy.get(id)!);
      },
      { maxBatchSize: 500 },
    ),
  };
}
