import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ResearchFindingEnum, type Finding } from '../labeled-example/research-enums.js';

@ObjectType('ResearchFindingCount')
export class ResearchFindingCount {
  @Field(() => ResearchFindingEnum)
  finding!: Finding;

  @Field(() => Int)
  count!: number;
}

@ObjectType('ResearchHospitalCount', { description: "A hospital's examples, in all and by finding (label balance per hospital)" })
export class ResearchHospitalCount {
  @Field(() => ID)
  hospitalId!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Int)
  pneumonia!: number;

  @Field(() => Int)
  normal!: number;

  @Field(() => Int)
  uncertain!: number;
}

@ObjectType('ResearchGrowthPoint', { description: 'Examples indexed per time bucket (by when the finding was recorded), and the running total' })
export class ResearchGrowthPoint {
  @Field(() => Date, { description: 'Start of the bucket (UTC)' })
  bucketStart!: Date;

  @Field(() => Int, { description: 'Examples whose finding was recorded in this bucket' })
  added!: number;

  @Field(() => Int, { description: 'Examples up to the end of this bucket' })
  total!: number;
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
