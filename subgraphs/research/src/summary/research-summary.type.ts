import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ResearchFindingEnum, type Finding } from '../labeled-example/research-enums.js';

@ObjectType('ResearchFindingCount')
export class ResearchFindingCount {
  @Field(() => ResearchFindingEnum)
  finding!: Finding;

  @Field(() => Int)
  count!: number;
}

@ObjectType('ResearchHospitalCount')
export class ResearchHospitalCount {
  @Field(() => ID)
  hospitalId!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('ResearchModelVersionCount')
export class ResearchModelVersionCount {
  @Field(() => String, { nullable: true, description: 'Null for examples no model predicted' })
  modelVersion!: string | null;

  @Field(() => Int)
  count!: number;
}

@ObjectType('ResearchSummary', { description: 'Counts of the labelled examples indexed so far' })
export class ResearchSummary {
  @Field(() => Int)
  total!: number;

  @Field(() => [ResearchFindingCount])
  byFinding!: ResearchFindingCount[];

  @Field(() => [ResearchHospitalCount], { description: 'Largest first' })
  byHospital!: ResearchHospitalCount[];

  @Field(() => [ResearchModelVersionCount], { description: 'Largest first' })
  byModelVersion!: ResearchModelVersionCount[];
}
