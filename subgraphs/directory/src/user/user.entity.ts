import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { PlatformRoleEnum, type PlatformRole } from '../auth/roles.js';

/** A person who logs in with the built-in issuer. Hospital roles live in Membership. */
@Entity({ tableName: 'app_user' })
@ObjectType('User')
export class User {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased, so the unique index is case-insensitive in effect. */
  @Field(() => String)
  @Property({ type: 'text', unique: true })
  email!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  displayName!: string;

  /** argon2id; never exposed. */
  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Field(() => [PlatformRoleEnum])
  @Property({ type: 'text[]' })
  roles: PlatformRole[] = [];

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  disabledAt: Date | null = null;
}
