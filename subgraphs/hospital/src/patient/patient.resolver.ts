import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { HospitalEntityArgs, PageArgs } from '../common/args.js';
import type { Page } from '../common/pagination.js';
import type { HospitalContext } from '../context.js';
import { StudyConnection } from '../study/study.connection.js';
import type { Study } from '../study/study.entity.js';
import { PatientConnection } from './patient.connection.js';
import { Patient } from './patient.entity.js';
import { CreatePatientArgs, PatientsArgs, UpdatePatientArgs } from './patient.inputs.js';

// `hospitalId` of every root field is checked by hospitalAccessGuard before these run.
@Resolver(() => Patient)
export class PatientResolver {
  @Query(() => Patient, { nullable: true })
  patient(@Args(() => HospitalEntityArgs) { id }: HospitalEntityArgs, @Ctx() ctx: HospitalContext): Promise<Patient | null> {
    return ctx.patients.get(id);
  }

  @Query(() => PatientConnection, { description: 'Patients of the hospital, newest first.' })
  patients(@Args(() => PatientsArgs) { filter, ...page }: PatientsArgs, @Ctx() ctx: HospitalContext): Promise<Page<Patient>> {
    return ctx.patients.list(filter, page);
  }

  @Mutation(() => Patient, { description: 'Fails with CONFLICT when the MRN is taken.' })
  createPatient(@Args(() => CreatePatientArgs) { input }: CreatePatientArgs, @Ctx() ctx: HospitalContext): Promise<Patient> {
    return ctx.patients.create(input);
  }

  @Mutation(() => Patient, { description: 'Fails with NOT_FOUND for an unknown id, CONFLICT when the new MRN is taken.' })
  updatePatient(@Args(() => UpdatePatientArgs) { id, input }: UpdatePatientArgs, @Ctx() ctx: HospitalContext): Promise<Patient> {
    return ctx.patients.update(id, input);
  }

  @FieldResolver(() => StudyConnection, { description: "The patient's studies, newest first." })
  studies(@Root() patient: Patient, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: HospitalContext): Promise<Page<Study>> {
    return ctx.loaders.studiesOfPatient.load({ patientId: patient.id, page: { first: page.first, after: page.after } });
  }
}
