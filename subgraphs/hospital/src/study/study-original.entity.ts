import { Embeddable, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/**
 * The bytes exactly as uploaded (JPEG, PNG or DICOM Part 10), kept in the same bucket as `image`.
 * For JPEG and PNG it is the same object as `image`; for DICOM `image` is a PNG rendition of it.
 * Its checksum identifies the upload: the same bytes again are accepted as a retry.
 */
@Embeddable()
@ObjectType('StudyOriginal')
export class StudyOriginal {
  @Property({ type: 'text' })
  @Field(() => String)
  key!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: 'Hex SHA-256 of the uploaded bytes.' })
  sha256!: string;

  @Property({ type: 'text' })
  @Field(() => String, { description: '"image/jpeg", "image/png" or "application/dicom", decided from the content.' })
  contentType!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Size in bytes.' })
  size!: number;
}
