import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { Hospital } from '../hospital/hospital.entity.js';

/**
 * An API key for a hospital integration. Only a lookup prefix and a SHA-256 hash of the key are
 * stored; the key itself is shown once, at creation.
 */
@Entity({ tableName: 'service_credential' })
@ObjectType('ServiceCredential')
export class ServiceCredential {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => Hospital)
  @ManyToOne({ entity: () => Hospital, deleteRule: 'cascade', index: true })
  hospital!: Rel<Hospital>;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', unique: true })
  keyPrefix!: string;

  @Property({ type: 'text', hidden: true })
  keyHash!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
