import { LocalDateResolver } from 'graphql-scalars';
import { ArgsType, Field, InputType } from 'type-graphql';
import { HospitalArgs, HospitalEntityArgs, HospitalPageArgs } from '../common/args.js';
import { Sex } from './patient.entity.js';

@InputType('CreatePatientInput')
export class CreatePatientInput {
  @Field(() => String, { description: 'Medical record number; must be unique in the hospital.' })
  mrn!: string;

  @Field(() => String)
  name!: string;

  @Field(() => LocalDateResolver)
  birthDate!: string;

  @Field(() => Sex)
  sex!: Sex;
}

/** Omitted (or null) fields stay unchanged. */
@InputType('UpdatePatientInput')
export class UpdatePatientInput {
  @Field(() => String, { nullable: true })
  mrn?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  birthDate?: string | null;

  @Field(() => Sex, { nullable: true })
  sex?: Sex | null;
}

@InputType('PatientFilter')
export class PatientFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  nameContains?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact medical record number.' })
  mrn?: string | null;

  @Field(() => Sex, { nullable: true })
  sex?: Sex | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Born on or after this date.' })
  bornAfter?: string | null;

  @Field(() => LocalDateResolver, { nullable: true, description: 'Born before this date (exclusive).' })
  bornBefore?: string | null;
}

@ArgsType()
export class PatientsArgs extends HospitalPageArgs {
  @Field(() => PatientFilter, { nullable: true })
  filter?: PatientFilter | null;
}

@ArgsType()
export class CreatePatientArgs extends HospitalArgs {
  @Field(() => CreatePatientInput)
  input!: CreatePatientInput;
}

@ArgsType()
export class UpdatePatientArgs extends HospitalEntityArgs {
  @Field(() => UpdatePatientInput)
  input!: UpdatePatientInput;
}
