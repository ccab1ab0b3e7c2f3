import { Embeddable, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * The image the inference worker reads, in the hospital's NATS Object Store bucket: the upload
 * itself for JPEG and PNG, an 8-bit grayscale PNG rendition for DICOM (see StudyOriginal).
 */
@Embeddable()
@ObjectType('StudyImage')
export class StudyImage {
  @Property({ type: 'text' })
  @Field(() => String)
  bucket!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  key!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Hex SHA-256 of the stored bytes.' })
  sha256!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  contentType!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  width!: number;

  @Property({ type: 'integer' })
  @Field(() => Int)
  height!: number;
}
