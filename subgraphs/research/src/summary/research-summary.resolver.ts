import { Ctx, Query, Resolver } from 'type-graphql';
import type { ResearchContext } from '../context.js';
import { researchSummary } from './research-summary.service.js';
import { ResearchSummary } from './research-summary.type.js';

@Resolver(() => ResearchSummary)
export class ResearchSummaryResolver {
  @Query(() => ResearchSummary, { description: 'Counts of labelled examples by finding, hospital and model version' })
  researchSummary(@Ctx() ctx: ResearchContext): Promise<ResearchSummary> {
    return researchSummary(ctx.em);
  }
}
