import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TriageStatusEnum, type TriageStatus } from '../worklist-item/triage-state.js';
import type { WorklistItem } from '../worklist-item/worklist-item.entity.js';

/** The hospital subgraph owns Study; triage contributes its prediction and triage state. */
@Directive('@key(fields: "hospitalId id")')
@ObjectType('Study')
export class Study {
  @Field(() => ID)
  hospitalId!: string;

  @Field(() => ID)
  id!: string;

  /** The triage row when already loaded: undefined = not loaded, null = triage has not heard of it. */
  item?: WorklistItem | null;
}

@ObjectType('TriageState')
export class TriageState {
  @Field(() => TriageStatusEnum)
  status!: TriageStatus;

  @Field(() => Int)
  priority!: number;

  @Field(() => Float, { nullable: true })
  risk!: number | null;

  @Field(() => Date)
  updatedAt!: Date;
}

export function studyRef(hospitalId: string, id: string, item?: WorklistItem | null): Study {
  return Object.assign(new Study(), { hospitalId, id, item });
}

export interface StudyKey {
  hospitalId: string;
  studyId: string;
}

export const studyKeyString = ({ hospitalId, studyId }: StudyKey) => `${hospitalId}\u0000${studyId}`;
