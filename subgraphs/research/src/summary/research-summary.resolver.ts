import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { AgreementBucketEnum, type AgreementBucket } from '../agreement/agreement.type.js';
import type { ResearchContext } from '../context.js';
import { labeledExampleGrowth, researchSummary } from './research-summary.service.js';
import { ResearchGrowthPoint, ResearchSummary } from './research-summary.type.js';

@Resolver(() => ResearchSummary)
export class ResearchSummaryResolver {
  @Query(() => ResearchSummary, { description: 'Counts of labelled examples by finding, hospital and model version' })
  researchSummary(@Ctx() ctx: ResearchContext): Promise<ResearchSummary> {
    return researchSummary(ctx.em);
  }

  @Query(() => [ResearchGrowthPoint], { description: 'How the labelled data grew: examples per day or week, oldest first, with the running total' })
  labeledExampleGrowth(
    @Arg('bucket', () => AgreementBucketEnum, { defaultValue: 'DAY' }) bucket: AgreementBucket,
    @Ctx() ctx: ResearchContext,
  ): Promise<ResearchGrowthPoint[]> {
    return labeledExampleGrowth(ctx.em, bucket);
  }
}
