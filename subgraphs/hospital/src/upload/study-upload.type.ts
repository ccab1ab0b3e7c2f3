import { Field, Int, ObjectType } from 'type-graphql';
import { Study } from '../study/study.entity.js';

@ObjectType('StudyUpload', { description: 'Where to PUT the image of a study.' })
export class StudyUploadTicket {
  @Field(() => Study)
  study!: Study;

  @Field(() => String, {
    description:
      'PUT the image bytes (JPEG, PNG or DICOM Part 10) to this URL; no Authorization header is needed, the URL is the credential. ' +
      'Answers 201 {studyId, sha256, contentType, width, height}; the same bytes again answer 200.',
  })
  uploadUrl!: string;

  @Field(() => Date, { description: 'The URL is refused after this instant; renewStudyUpload gives a new one.' })
  expiresAt!: Date;

  @Field(() => Int, { description: 'The largest body the URL accepts, in bytes.' })
  maxBytes!: number;
}
