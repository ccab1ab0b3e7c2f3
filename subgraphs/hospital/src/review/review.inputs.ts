import { ArgsType, Field, ID } from 'type-graphql';
import { HospitalArgs } from '../common/args.js';
import { NOTES_MAX, ReviewFinding } from './review.entity.js';

@ArgsType()
export class RecordReviewArgs extends HospitalArgs {
  @Field(() => ID)
  studyId!: string;

  @Field(() => ReviewFinding)
  finding!: ReviewFinding;

  @Field(() => String, { nullable: true, description: `Free text, at most ${NOTES_MAX} characters; stays in the hospital.` })
  notes?: string | null;
}
