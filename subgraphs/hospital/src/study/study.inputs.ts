import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { HospitalArgs, HospitalEntityArgs, HospitalPageArgs } from '../common/args.js';
import { StudyStatus } from './study.entity.js';

@InputType('CreateStudyInput')
export class CreateStudyInput {
  @Field(() => ID)
  patientId!: string;

  @Field(() => String, { description: 'Must be unique in the hospital.' })
  accessionNumber!: string;

  @Field(() => String, { nullable: true, description: 'DICOM modality code; defaults to "DX".' })
  modality?: string | null;

  @Field(() => String, { nullable: true, description: 'DICOM body part; defaults to "CHEST".' })
  bodyPart?: string | null;

  @Field(() => Date, { nullable: true, description: 'Defaults to now.' })
  acquiredAt?: Date | null;
}

/** Omitted (or null) fields stay unchanged. */
@InputType('UpdateStudyInput')
export class UpdateStudyInput {
  @Field(() => String, { nullable: true })
  modality?: string | null;

  @Field(() => String, { nullable: true })
  bodyPart?: string | null;

  @Field(() => Date, { nullable: true })
  acquiredAt?: Date | null;
}

@InputType('StudyFilter')
export class StudyFilter {
  @Field(() => ID, { nullable: true })
  patientId?: string | null;

  @Field(() => StudyStatus, { nullable: true })
  status?: StudyStatus | null;

  @Field(() => String, { nullable: true, description: 'Exact DICOM modality code (case-insensitive).' })
  modality?: string | null;

  @Field(() => Date, { nullable: true, description: 'Acquired at or after this instant.' })
  acquiredAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Acquired before this instant (exclusive).' })
  acquiredBefore?: Date | null;
}

@ArgsType()
export class StudiesArgs extends HospitalPageArgs {
  @Field(() => StudyFilter, { nullable: true })
  filter?: StudyFilter | null;
}

@ArgsType()
export class StudyByAccessionNumberArgs extends HospitalArgs {
  @Field(() => String)
  accessionNumber!: string;
}

@ArgsType()
export class CreateStudyArgs extends HospitalArgs {
  @Field(() => CreateStudyInput)
  input!: CreateStudyInput;
}

@ArgsType()
export class UpdateStudyArgs extends HospitalEntityArgs {
  @Field(() => UpdateStudyInput)
  input!: UpdateStudyInput;
}
