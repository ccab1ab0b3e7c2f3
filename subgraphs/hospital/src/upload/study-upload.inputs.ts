import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { HospitalArgs } from '../common/args.js';
import { CreatePatientInput } from '../patient/patient.inputs.js';

/**
 * What is known before the image arrives. Anything left out of a DICOM upload is taken from its
 * header (patient, accession number, modality, body part, acquisition time); a JPEG or PNG has
 * no header, so it needs `patientId` or `patient`.
 */
@InputType('CreateStudyUploadInput')
export class CreateStudyUploadInput {
  @Field(() => ID, { nullable: true, description: 'An existing patient. Give this or `patient`, not both.' })
  patientId?: string | null;

  @Field(() => CreatePatientInput, {
    nullable: true,
    description: 'Finds the patient with this MRN, or creates one from these details.',
  })
  patient?: CreatePatientInput | null;

  @Field(() => String, {
    nullable: true,
    description: 'Must be unique in the hospital. Default: the DICOM header\'s, else generated ("<SLUG>-<yyyymmdd>-<random>").',
  })
  accessionNumber?: string | null;

  @Field(() => String, { nullable: true, description: 'DICOM modality code. Default: the DICOM header\'s, else "DX".' })
  modality?: string | null;

  @Field(() => String, { nullable: true, description: 'DICOM body part. Default: the DICOM header\'s, else "CHEST".' })
  bodyPart?: string | null;

  @Field(() => Date, { nullable: true, description: "Default: the DICOM header's StudyDate/StudyTime, else now." })
  acquiredAt?: Date | null;
}

@ArgsType()
export class CreateStudyUploadArgs extends HospitalArgs {
  @Field(() => CreateStudyUploadInput)
  input!: CreateStudyUploadInput;
}

@ArgsType()
export class RenewStudyUploadArgs extends HospitalArgs {
  @Field(() => ID)
  studyId!: string;
}
