import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { HospitalEntityArgs } from '../common/args.js';
import type { Page } from '../common/pagination.js';
import type { HospitalContext } from '../context.js';
import { Patient } from '../patient/patient.entity.js';
import { Review } from '../review/review.entity.js';
import { StudyConnection } from './study.connection.js';
import { Study } from './study.entity.js';
import { CreateStudyArgs, StudiesArgs, StudyByAccessionNumberArgs, UpdateStudyArgs } from './study.inputs.js';

// `hospitalId` of every root field is checked by hospitalAccessGuard before these run.
@Resolver(() => Study)
export class StudyResolver {
  @Query(() => Study, { nullable: true })
  study(@Args(() => HospitalEntityArgs) { id }: HospitalEntityArgs, @Ctx() ctx: HospitalContext): Promise<Study | null> {
    return ctx.studies.get(id);
  }

  @Query(() => Study, { nullable: true })
  studyByAccessionNumber(
    @Args(() => StudyByAccessionNumberArgs) { accessionNumber }: StudyByAccessionNumberArgs,
    @Ctx() ctx: HospitalContext,
  ): Promise<Study | null> {
    return ctx.studies.getByAccessionNumber(accessionNumber);
  }

  @Query(() => StudyConnection, { description: 'Studies of the hospital, newest first.' })
  studies(@Args(() => StudiesArgs) { filter, ...page }: StudiesArgs, @Ctx() ctx: HospitalContext): Promise<Page<Study>> {
    return ctx.studies.list(filter, page);
  }

  @Mutation(() => Study, {
    description: 'Registers a study and announces it on studies.<hospitalId>.created. CONFLICT when the accession number is taken.',
  })
  createStudy(@Args(() => CreateStudyArgs) { input }: CreateStudyArgs, @Ctx() ctx: HospitalContext): Promise<Study> {
    return ctx.studies.create(input);
  }

  @Mutation(() => Study, { description: 'Fails with NOT_FOUND for an unknown id.' })
  updateStudy(@Args(() => UpdateStudyArgs) { id, input }: UpdateStudyArgs, @Ctx() ctx: HospitalContext): Promise<Study> {
    return ctx.studies.update(id, input);
  }

  /** Batched across all studies of the response. */
  @FieldResolver(() => Patient)
  async patient(@Root() study: Study, @Ctx() ctx: HospitalContext): Promise<Patient> {
    const patient = await ctx.loaders.patientById.load(study.patient.id);
    if (!patient) throw new Error(`study ${study.id} references a missing patient`);
    return patient;
  }

  /** Newest first; batched across all studies of the response. */
  @FieldResolver(() => [Review], { description: "Doctors' reviews of the study, newest first." })
  reviews(@Root() study: Study, @Ctx() ctx: HospitalContext): Promise<Review[]> {
    return ctx.loaders.reviewsByStudyId.load(study.id);
  }
}
