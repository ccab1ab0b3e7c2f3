import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TriageStatusEnum, type TriageStatus } from './triage-state.js';
import { WorklistItem } from './worklist-item.entity.js';
import { WORKLIST_DEFAULT_PAGE, WORKLIST_MAX_PAGE } from './worklist.service.js';

@ArgsType()
export class WorklistArgs {
  @Field(() => Int, { nullable: true, defaultValue: WORKLIST_DEFAULT_PAGE, description: `Page size, at most ${WORKLIST_MAX_PAGE}` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;

  @Field(() => [ID], { nullable: true, description: "Defaults to every hospital of the caller" })
  hospitalIds?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Only items whose risk is at least this (items without a risk are left out)' })
  minRisk?: number | null;

  @Field(() => [TriageStatusEnum], { nullable: true, description: 'Defaults to every status' })
  status?: TriageStatus[] | null;
}

@ArgsType()
export class WorklistItemArgs {
  @Field(() => ID)
  hospitalId!: string;

  @Field(() => ID)
  studyId!: string;
}

@ObjectType('WorklistEdge')
export class WorklistEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WorklistItem)
  node!: WorklistItem;
}

@ObjectType('WorklistPageInfo')
export class WorklistPageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

/** Highest priority first, then oldest first. */
@ObjectType('WorklistConnection')
export class WorklistConnection {
  @Field(() => [WorklistEdge])
  edges!: WorklistEdge[];

  @Field(() => WorklistPageInfo)
  pageInfo!: WorklistPageInfo;

  /** Resolved by a field resolver so the count query runs only when asked for. */
  countTotal!: () => Promise<number>;
}
