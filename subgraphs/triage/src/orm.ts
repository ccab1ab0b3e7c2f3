import { createOrm, type Orm } from '@triage/service-common';
import { migrations } from './migrations/index.js';
import { Prediction, PredictionTimings } from './prediction/prediction.entity.js';
import { WorklistItem } from './worklist-item/worklist-item.entity.js';

export const entities = [WorklistItem, Prediction, PredictionTimings];

export function createTriageOrm(databaseUrl: string, options: { debug?: boolean } = {}): Promise<Orm> {
  return createOrm({ clientUrl: databaseUrl, entities, migrations, debug: options.debug });
}
