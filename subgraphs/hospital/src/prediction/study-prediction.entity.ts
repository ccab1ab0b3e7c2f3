import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The latest active (not shadow) prediction the inference worker published for a study, from
 * `predictions.<hospitalId>.created`. Kept so the de-identified research copy can carry the label,
 * the model's prediction and its version. Not exposed in the schema: doctors read predictions from
 * triage.
 */
@Entity({ tableName: 'study_prediction' })
export class StudyPrediction {
  /** One row per study (no foreign key: rows are only written for studies that exist here). */
  @PrimaryKey({ type: 'uuid' })
  studyId!: string;

  @Property({ type: 'text' })
  modelVersion!: string;

  @Property({ type: 'double' })
  risk!: number;

  /** The model's label at its threshold: 'pneumonia' | 'normal'. */
  @Property({ type: 'text' })
  label!: 'pneumonia' | 'normal';

  /** When the worker made it (event time): a later prediction replaces an earlier one. */
  @Property({ type: 'datetime' })
  predictedAt!: Date;

  /** Breaks ties between predictions made at the same instant. */
  @Property({ type: new BigIntType('number') })
  streamSequence!: number;
}
