import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { LocalDateResolver } from 'graphql-scalars';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum Sex {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  OTHER = 'OTHER',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(Sex, { name: 'Sex', description: 'Administrative sex as recorded by the hospital.' });

/** A patient of this hospital. Never leaves the hospital's own database or GraphQL instance. */
@Entity({ tableName: 'patient' })
@Index({ name: 'patient_created_at_id_idx', properties: ['createdAt', 'id'] })
@ObjectType('Patient')
@Directive('@key(fields: "hospitalId id")')
export class Patient {
  [OptionalProps]?: 'id' | 'provisional' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID, { description: 'The hospital this record belongs to (always the serving instance).' })
  hospitalId!: string;

  @Property({ type: 'text' })
  @Unique({ name: 'patient_mrn_unique' })
  @Field(() => String, { description: 'Medical record number, unique within the hospital.' })
  mrn!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  name!: string;

  /**
   * MikroORM maps `date` columns to "YYYY-MM-DD" strings, so no time zone can shift the day.
   * Null only for patients first seen in a DICOM header without a birth date (a Type 2 attribute).
   */
  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateResolver, { nullable: true, description: 'Birth date, "YYYY-MM-DD"; null when unknown (e.g. a DICOM header without one).' })
  birthDate!: string | null;

  @Enum({ items: () => Sex, type: 'text' })
  @Field(() => Sex)
  sex!: Sex;

  /**
   * A placeholder for a study uploaded without naming its patient (createStudyUpload without
   * patient or patientId): the DICOM header of the upload fills it, or replaces it with the
   * existing patient of that MRN.
   */
  @Property({ type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'True while the patient is a placeholder waiting for the DICOM header of its study.' })
  provisional: boolean = false;

  @Property({ type: 'datetime', onCreate: () => new Date() })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
