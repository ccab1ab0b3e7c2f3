import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '@triage/service-common';
import DataLoader from 'dataloader';
import type { Prediction } from './prediction/prediction.entity.js';
import { findVisiblePredictions } from './prediction/prediction.service.js';
import { studyKeyString, type StudyKey } from './study/study.type.js';
import type { WorklistItem } from './worklist-item/worklist-item.entity.js';
import { findWorklistItems } from './worklist-item/worklist.service.js';

/** Per-request batching: any number of studies in one request cost one query per kind. */
export interface Loaders {
  worklistItem: DataLoader<StudyKey, WorklistItem | null, string>;
  predictions: DataLoader<StudyKey, Prediction[], string>;
}

export interface TriageContext extends RequestContext {
  em: EntityManager;
  loaders: Loaders;
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    worklistItem: new DataLoader((keys) => findWorklistItems(em, keys), { cacheKeyFn: studyKeyString }),
    predictions: new DataLoader((keys) => findVisiblePredictions(em, keys), { cacheKeyFn: studyKeyString }),
  };
}

export function createContext(rootEm: EntityManager) {
  return (base: RequestContext): TriageContext => {
    const em = rootEm.fork();
    return { ...base, em, loaders: createLoaders(em) };
  };
}
