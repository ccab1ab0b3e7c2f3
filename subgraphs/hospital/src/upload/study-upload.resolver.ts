import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { HospitalContext } from '../context.js';
import { CreateStudyUploadArgs, RenewStudyUploadArgs } from './study-upload.inputs.js';
import { StudyUploadTicket } from './study-upload.type.js';

// `hospitalId` of every root field is checked by hospitalAccessGuard (write access) before these run.
@Resolver()
export class StudyUploadResolver {
  @Mutation(() => StudyUploadTicket, {
    description:
      'Registers a study and returns a short-lived URL on the gateway to PUT its image to (JPEG, PNG or DICOM Part 10). ' +
      'Without patientId or patient, the patient comes from the DICOM header (a JPEG or PNG is then refused). ' +
      'The study is announced on studies.<hospitalId>.created now, and again with its image once stored.',
  })
  createStudyUpload(@Args(() => CreateStudyUploadArgs) { input }: CreateStudyUploadArgs, @Ctx() ctx: HospitalContext): Promise<StudyUploadTicket> {
    return ctx.uploads.create(input, ctx.principal!);
  }

  @Mutation(() => StudyUploadTicket, {
    description: 'A new upload URL for a study without an image (registered with createStudy, or whose URL expired). CONFLICT when it has one.',
  })
  renewStudyUpload(@Args(() => RenewStudyUploadArgs) { studyId }: RenewStudyUploadArgs, @Ctx() ctx: HospitalContext): Promise<StudyUploadTicket> {
    return ctx.uploads.renew(studyId, ctx.principal!);
  }
}
