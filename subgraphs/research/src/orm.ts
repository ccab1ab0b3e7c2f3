import { createOrm, type Orm } from '@triage/service-common';
import { DatasetExample } from './dataset/dataset-example.entity.js';
import { Dataset } from './dataset/dataset.entity.js';
import { LabeledExample } from './labeled-example/labeled-example.entity.js';
import { migrations } from './migrations/index.js';
import { ModelEvent } from './model-version/model-event.entity.js';
import { ModelVersion } from './model-version/model-version.entity.js';

export const entities = [LabeledExample, Dataset, DatasetExample, ModelVersion, ModelEvent];

export function createResearchOrm(databaseUrl: string, options: { debug?: boolean } = {}): Promise<Orm> {
  return createOrm({ clientUrl: databaseUrl, entities, migrations, debug: options.debug });
}
