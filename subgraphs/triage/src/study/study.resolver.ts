import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { TriageContext } from '../context.js';
import { Prediction } from '../prediction/prediction.entity.js';
import { Study, TriageState } from './study.type.js';

/** Every Study reaching these resolvers was authorized by __resolveReference or the worklist. */
@Resolver(() => Study)
export class StudyResolver {
  @FieldResolver(() => Prediction, { nullable: true, description: 'Latest prediction of the live model (never a shadow one)' })
  async prediction(@Root() study: Study, @Ctx() ctx: TriageContext): Promise<Prediction | null> {
    const history = await ctx.loaders.predictions.load({ hospitalId: study.hospitalId, studyId: study.id });
    return history[0] ?? null;
  }

  @FieldResolver(() => [Prediction], { description: 'Shown predictions, newest first' })
  predictions(@Root() study: Study, @Ctx() ctx: TriageContext): Promise<Prediction[]> {
    return ctx.loaders.predictions.load({ hospitalId: study.hospitalId, studyId: study.id });
  }

  @FieldResolver(() => TriageState, { nullable: true, description: 'Null until triage has heard of the study' })
  async triage(@Root() study: Study, @Ctx() ctx: TriageContext): Promise<TriageState | null> {
    if (study.item !== undefined) return study.item;
    return ctx.loaders.worklistItem.load({ hospitalId: study.hospitalId, studyId: study.id });
  }
}
