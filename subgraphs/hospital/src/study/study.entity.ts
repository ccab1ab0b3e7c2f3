import { randomUUID } from 'node:crypto';
import { Embedded, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Patient } from '../patient/patient.entity.js';
import { StudyImage } from './study-image.entity.js';
import { StudyOriginal } from './study-original.entity.js';

export enum StudyStatus {
  REGISTERED = 'REGISTERED',
  IMAGE_STORED = 'IMAGE_STORED',
  REVIEWED = 'REVIEWED',
}
registerEnumType(StudyStatus, { name: 'StudyStatus' });

export const DEFAULT_MODALITY = 'DX';
export const DEFAULT_BODY_PART = 'CHEST';

/** One imaging study (a chest X-ray) of a patient. */
@Entity({ tableName: 'study' })
@Index({ name: 'study_created_at_id_idx', properties: ['createdAt', 'id'] })
@Index({ name: 'study_study_instance_uid_idx', properties: ['studyInstanceUid'] })
@ObjectType('Study')
@Directive('@key(fields: "hospitalId id")')
export class Study {
  [OptionalProps]?:
    | 'id'
    | 'modality'
    | 'bodyPart'
    | 'acquiredAt'
    | 'status'
    | 'image'
    | 'original'
    | 'studyInstanceUid'
    | 'sopInstanceUid'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID, { description: 'The hospital this record belongs to (always the serving instance).' })
  hospitalId!: string;

  @Property({ type: 'text' })
  @Unique({ name: 'study_accession_number_unique' })
  @Field(() => String, { description: 'Accession number, unique within the hospital.' })
  accessionNumber!: string;

  /** Exposed through StudyResolver.patient (batched), not as a plain field. */
  @ManyToOne({ entity: () => Patient, deleteRule: 'restrict', index: 'study_patient_id_idx' })
  patient!: Patient;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'DICOM modality code, e.g. "DX" or "CR".' })
  modality: string = DEFAULT_MODALITY;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'DICOM body part examined, e.g. "CHEST".' })
  bodyPart: string = DEFAULT_BODY_PART;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  acquiredAt: Date = new Date();

  @Enum({ items: () => StudyStatus, type: 'text' })
  @Field(() => StudyStatus)
  status: StudyStatus = StudyStatus.REGISTERED;

  @Embedded({ entity: () => StudyImage, nullable: true, prefix: 'image_' })
  @Field(() => StudyImage, {
    nullable: true,
    description: 'The image to read (the upload for JPEG/PNG, an 8-bit PNG rendition for DICOM); null until one is uploaded.',
  })
  image: StudyImage | null = null;

  @Embedded({ entity: () => StudyOriginal, nullable: true, prefix: 'original_' })
  @Field(() => StudyOriginal, { nullable: true, description: 'The bytes as uploaded; null until one is uploaded.' })
  original: StudyOriginal | null = null;

  /** DICOM identifiers of the uploaded instance, kept for de-identification and DICOMweb. */
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'StudyInstanceUID (0020,000D) of an uploaded DICOM instance.' })
  studyInstanceUid: string | null = null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'SOPInstanceUID (0008,0018) of an uploaded DICOM instance.' })
  sopInstanceUid: string | null = null;

  @Property({ type: 'datetime', onCreate: () => new Date() })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
