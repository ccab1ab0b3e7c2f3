import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import {
  ResearchFindingEnum,
  ResearchModelLabelEnum,
  ResearchSexEnum,
  type Finding,
  type ModelLabel,
  type Sex,
} from './research-enums.js';

/**
 * A de-identified, doctor-labelled example (ResearchLabeledV1). Nothing here can identify a
 * patient: a keyed pseudonym, an age band, a year, and an image de-identified at the hospital.
 * Exact times (when it was labelled and received) are kept for the agreement time series but
 * are not fields of the GraphQL type.
 */
@Entity({ tableName: 'labeled_example' })
@Index({ name: 'labeled_example_hospital_idx', properties: ['hospitalId'] })
@Index({ name: 'labeled_example_model_version_idx', properties: ['modelVersion'] })
@Index({ name: 'labeled_example_order_idx', properties: ['streamSequence', 'exampleId'] })
@ObjectType('LabeledExample', { description: 'A de-identified example labelled by a doctor (no PHI)' })
export class LabeledExample {
  [PrimaryKeyProp]?: 'exampleId';
  [OptionalProps]?: 'textRegionsRemoved' | 'dicomKey' | 'dicomSha256';

  @Field(() => ID, { name: 'id', description: 'Random id given by the hospital; never its study id' })
  @PrimaryKey({ type: 'text' })
  exampleId!: string;

  @Field(() => ID)
  @Property({ type: 'text' })
  hospitalId!: string;

  @Field(() => String, { description: "Keyed pseudonym of the patient: stable per patient and hospital, not reversible here" })
  @Property({ type: 'text' })
  pseudonym!: string;

  @Field(() => ResearchFindingEnum)
  @Enum({ items: () => ResearchFindingEnum })
  finding!: Finding;

  @Field(() => String, { nullable: true, description: 'Version of the model that predicted it (null when none did)' })
  @Property({ type: 'text', nullable: true })
  modelVersion: string | null = null;

  @Field(() => Float, { nullable: true, description: 'Pneumonia risk the model gave, in [0, 1]' })
  @Property({ type: 'double', nullable: true })
  modelRisk: number | null = null;

  @Field(() => ResearchModelLabelEnum, { nullable: true })
  @Enum({ items: () => ResearchModelLabelEnum, nullable: true })
  modelLabel: ModelLabel | null = null;

  @Field(() => String, { nullable: true, description: 'Five-year age band at the study, such as "40-44", or "90+"' })
  @Property({ type: 'text', nullable: true })
  ageBand: string | null = null;

  @Field(() => ResearchSexEnum)
  @Enum({ items: () => ResearchSexEnum })
  sex!: Sex;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  studyYear: number | null = null;

  /** Object Store bucket and key of the de-identified image (always the research bucket). */
  @Property({ type: 'text' })
  imageBucket!: string;

  @Property({ type: 'text' })
  imageKey!: string;

  @Field(() => String, { description: 'SHA-256 of the de-identified image' })
  @Property({ type: 'text' })
  imageSha256!: string;

  @Property({ type: 'text' })
  imageContentType!: string;

  /** Key (research bucket) and SHA-256 of the de-identified DICOM copy, when the original was DICOM. */
  @Property({ type: 'text', nullable: true })
  dicomKey: string | null = null;

  @Property({ type: 'text', nullable: true })
  dicomSha256: string | null = null;

  @Field(() => Int)
  @Property({ type: 'integer' })
  imageWidth!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  imageHeight!: number;

  /** How the hospital de-identified the image (software name and profile, not hospital data). */
  @Property({ type: 'text' })
  deidentificationMethod!: string;

  @Field(() => Int, { description: 'Burned-in text regions the hospital removed from the pixels' })
  @Property({ type: 'integer', default: 0 })
  textRegionsRemoved: number = 0;

  /** Position in the research stream: the order of the labeledExamples connection (not unique: a stream can be recreated). */
  @Property({ type: new BigIntType('number') })
  streamSequence!: number;

  /** When the doctor's finding was recorded (event time): the time axis of the agreement series. */
  @Property({ type: 'datetime', length: 3 })
  labeledAt!: Date;

  @Property({ type: 'datetime', length: 3 })
  receivedAt!: Date;
}
