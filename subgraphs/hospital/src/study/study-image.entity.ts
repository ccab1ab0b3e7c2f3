import { Embeddable, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** Where a study's original image is stored (the hospital's NATS Object Store bucket). */
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
