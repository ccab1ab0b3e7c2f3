import { ArgsType, Field, ID, Int, ObjectType } from 'type-graphql';
import { LabeledExample } from './labeled-example.entity.js';
import { ResearchFindingEnum, type Finding } from './research-enums.js';

export const EXAMPLES_DEFAULT_PAGE = 50;
export const EXAMPLES_MAX_PAGE = 500;

@ArgsType()
export class LabeledExamplesArgs {
  @Field(() => Int, { nullable: true, defaultValue: EXAMPLES_DEFAULT_PAGE, description: `Page size, at most ${EXAMPLES_MAX_PAGE}` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;

  @Field(() => ResearchFindingEnum, { nullable: true })
  finding?: Finding | null;

  @Field(() => ID, { nullable: true })
  hospitalId?: string | null;

  @Field(() => String, { nullable: true })
  modelVersion?: string | null;
}

@ObjectType('ResearchExampleEdge')
export class ResearchExampleEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => LabeledExample)
  node!: LabeledExample;
}

@ObjectType('ResearchPageInfo')
export class ResearchPageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

/** Newest first (by arrival on the research stream). */
@ObjectType('ResearchExampleConnection')
export class ResearchExampleConnection {
  @Field(() => [ResearchExampleEdge])
  edges!: ResearchExampleEdge[];

  @Field(() => ResearchPageInfo)
  pageInfo!: ResearchPageInfo;

  /** Resolved by a field resolver so the count runs only when asked for. */
  countTotal!: () => Promise<number>;
}
