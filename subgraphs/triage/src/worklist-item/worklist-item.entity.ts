import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TriageStatus, TriageStatusEnum } from './triage-state.js';

/**
 * One study on the cross-hospital worklist: ids and triage state only, never names or other PHI.
 * The row is a projection of the studies and predictions streams.
 */
@Entity({ tableName: 'worklist_item' })
@Index({
  name: 'worklist_item_order_idx',
  expression:
    'create index "worklist_item_order_idx" on "worklist_item" ("priority" desc, "received_at" asc, "hospital_id" asc, "study_id" asc)',
})
@ObjectType('WorklistItem', { description: 'A study on the triage worklist (no patient data)' })
export class WorklistItem {
  [PrimaryKeyProp]?: ['hospitalId', 'studyId'];
  [OptionalProps]?: 'priority' | 'risk' | 'modelVersion' | 'lastEventSequence' | 'key';

  /** Globally unique: the study id is only unique within its hospital. */
  @Field(() => ID, { name: 'id', description: '"hospitalId:studyId"' })
  get key(): string {
    return worklistItemKey(this.hospitalId, this.studyId);
  }

  @Field(() => ID)
  @PrimaryKey({ type: 'text' })
  hospitalId!: string;

  @PrimaryKey({ type: 'text' })
  studyId!: string;

  @Field(() => TriageStatusEnum)
  @Enum({ items: () => TriageStatusEnum })
  status!: TriageStatus;

  /** round(risk * 1000); 0 while there is no prediction. Sorted descending. */
  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  priority: number = 0;

  @Field(() => Float, { nullable: true, description: 'Pneumonia risk in [0, 1] of the live model' })
  @Property({ type: 'double', nullable: true })
  risk: number | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  modelVersion: string | null = null;

  /** When the study was registered at its hospital (or first heard of). Millisecond precision keeps cursors exact. */
  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  receivedAt!: Date;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  updatedAt!: Date;

  /** Sequence in the triage stream of the last TriageUpdatedV1 published for this item. */
  @Property({ type: new BigIntType('number'), default: 0 })
  lastEventSequence: number = 0;
}

export const worklistItemKey = (hospitalId: string, studyId: string) => `${hospitalId}:${studyId}`;
