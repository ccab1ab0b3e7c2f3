import { randomUUID } from 'node:crypto';
import { Embeddable, Embedded, Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { PredictionLabel as ContractLabel } from '@triage/contracts';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';

export type PredictionLabel = (typeof ContractLabel.options)[number];

/** GraphQL shows PNEUMONIA / NORMAL; events and rows carry the contracts' lower-case labels. */
export const PredictionLabelEnum = { PNEUMONIA: 'pneumonia', NORMAL: 'normal' } as const satisfies Record<
  string,
  PredictionLabel
>;
registerEnumType(PredictionLabelEnum, { name: 'PredictionLabel' });

@Embeddable()
@ObjectType('PredictionTimings', { description: 'Where the inference time went, in milliseconds' })
export class PredictionTimings {
  @Field(() => Float)
  @Property({ type: 'double' })
  queueMs!: number;

  @Field(() => Float)
  @Property({ type: 'double' })
  preprocessMs!: number;

  @Field(() => Float)
  @Property({ type: 'double' })
  inferenceMs!: number;
}

/** One model's prediction for one study; one row per study and model version. */
@Entity({ tableName: 'prediction' })
@Unique({ name: 'prediction_study_model_unique', properties: ['hospitalId', 'studyId', 'modelVersion'] })
@ObjectType('Prediction')
export class Prediction {
  [OptionalProps]?: 'id' | 'shadow';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  hospitalId!: string;

  @Property({ type: 'text' })
  studyId!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  modelVersion!: string;

  @Field(() => Float, { description: 'Pneumonia risk in [0, 1]' })
  @Property({ type: 'double' })
  risk!: number;

  @Field(() => PredictionLabelEnum, { description: 'The label at the model threshold' })
  @Enum({ items: () => PredictionLabelEnum })
  label!: PredictionLabel;

  @Field(() => Float)
  @Property({ type: 'double' })
  threshold!: number;

  /** Shadow predictions are kept for model comparison and never shown. */
  @Property({ type: 'boolean', default: false })
  shadow: boolean = false;

  @Field(() => PredictionTimings)
  @Embedded({ entity: () => PredictionTimings, prefix: false })
  timings!: PredictionTimings;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  createdAt!: Date;
}
