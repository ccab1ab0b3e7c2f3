import type { EntityManager } from '@mikro-orm/postgresql';
import { studyKeyString, type StudyKey } from '../study/study.type.js';
import { Prediction } from './prediction.entity.js';

/** Shown predictions (no shadows) of many studies in one query, newest first per study. */
export async function findVisiblePredictions(
  em: EntityManager,
  keys: readonly StudyKey[],
): Promise<Prediction[][]> {
  if (keys.length === 0) return [];
  const rows = await em.find(
    Prediction,
    { shadow: false, $or: keys.map(({ hospitalId, studyId }) => ({ hospitalId, studyId })) },
    { orderBy: [{ createdAt: 'desc' }, { modelVersion: 'desc' }] },
  );
  const byStudy = new Map<string, Prediction[]>();
  for (const row of rows) {
    const key = studyKeyString(row);
    byStudy.set(key, [...(byStudy.get(key) ?? []), row]);
  }
  return keys.map((key) => byStudy.get(studyKeyString(key)) ?? []);
}
