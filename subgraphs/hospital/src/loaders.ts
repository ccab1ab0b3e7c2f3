import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isUuid } from './common/validation.js';
import { Patient } from './patient/patient.entity.js';
import { Review } from './review/review.entity.js';
import { Study } from './study/study.entity.js';

export interface HospitalLoaders {
  patientById: DataLoader<string, Patient | null>;
  studyById: DataLoader<string, Study | null>;
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

/** Per-request loaders (they cache), created with the request's EntityManager fork. */
export function createLoaders(em: EntityManager): HospitalLoaders {
  return {
    patientById: byIdLoader((ids) => em.find(Patient, { id: { $in: ids } })),
    studyById: byIdLoader((ids) => em.find(Study, { id: { $in: ids } })),
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
