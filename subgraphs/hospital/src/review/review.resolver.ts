import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { HospitalContext } from '../context.js';
import { Review } from './review.entity.js';
import { RecordReviewArgs } from './review.inputs.js';

// hospitalAccessGuard checks `hospitalId` with the REVIEW policy (doctors of this hospital) first.
@Resolver(() => Review)
export class ReviewResolver {
  @Mutation(() => Review, {
    description:
      "Records a doctor's finding on a study (doctors of this hospital only) and marks the study REVIEWED; announced on " +
      'studies.<hospitalId>.reviewed without the notes. BAD_USER_INPUT when the study has no image yet, NOT_FOUND for an unknown study.',
  })
  recordReview(@Args(() => RecordReviewArgs) { studyId, finding, notes }: RecordReviewArgs, @Ctx() ctx: HospitalContext): Promise<Review> {
    return ctx.reviews.record(ctx.principal!, { studyId, finding, notes });
  }
}
