import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Study } from '../study/study.entity.js';

export enum ReviewFinding {
  PNEUMONIA = 'PNEUMONIA',
  NORMAL = 'NORMAL',
  UNCERTAIN = 'UNCERTAIN',
}
registerEnumType(ReviewFinding, { name: 'ReviewFinding', description: "A doctor's reading of a chest X-ray." });

export const NOTES_MAX = 4000;

/** A doctor's finding on a study. A study may be reviewed more than once; each review is kept. */
@Entity({ tableName: 'review' })
@Index({ name: 'review_study_id_reviewed_at_idx', properties: ['study', 'reviewedAt'] })
@ObjectType('Review')
export class Review {
  [OptionalProps]?: 'id' | 'notes' | 'reviewerName' | 'reviewedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @ManyToOne({ entity: () => Study, deleteRule: 'cascade', index: false })
  study!: Study;

  @Enum({ items: () => ReviewFinding, type: 'text' })
  @Field(() => ReviewFinding)
  finding!: ReviewFinding;

  /** Free text: may hold PHI, so it never leaves this hospital (not in events, not in logs). */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  notes: string | null = null;

  /** The `sub` of the doctor's token; not exposed. */
  @Property({ type: 'text' })
  reviewerId!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The reviewer's display name from their token, when it carried one." })
  reviewerName: string | null = null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  reviewedAt: Date = new Date();
}
