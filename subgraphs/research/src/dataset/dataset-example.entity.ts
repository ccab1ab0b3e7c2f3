import { Entity, Enum, Index, ManyToOne, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { LabeledExample } from '../labeled-example/labeled-example.entity.js';
import { Dataset } from './dataset.entity.js';

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Membership of an example in a frozen dataset, with the split and label it was frozen with. */
@Entity({ tableName: 'dataset_example' })
@Index({ name: 'dataset_example_example_idx', properties: ['example'] })
export class DatasetExample {
  [PrimaryKeyProp]?: ['dataset', 'example'];

  @ManyToOne({ entity: () => Dataset, primary: true, deleteRule: 'cascade' })
  dataset!: Dataset;

  @ManyToOne({ entity: () => LabeledExample, primary: true, fieldName: 'example_id' })
  example!: LabeledExample;

  @Enum({ items: [...SPLITS] })
  split!: Split;

  /** 1 = pneumonia, 0 = normal. */
  @Property({ type: 'smallint' })
  label!: number;

  /** Row of the example in its split's arrays. */
  @Property({ type: 'integer' })
  position!: number;
}
