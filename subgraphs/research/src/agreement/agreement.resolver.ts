import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ResearchContext } from '../context.js';
import { modelAgreement } from './agreement.service.js';
import { AgreementPoint, ModelAgreementArgs } from './agreement.type.js';

@Resolver(() => AgreementPoint)
export class AgreementResolver {
  @Query(() => [AgreementPoint], {
    description: "Agreement (AUC, sensitivity, specificity) of each model version with doctors' findings, over time",
  })
  modelAgreement(@Args(() => ModelAgreementArgs) args: ModelAgreementArgs, @Ctx() ctx: ResearchContext): Promise<AgreementPoint[]> {
    return modelAgreement(ctx.em, args);
  }
}
