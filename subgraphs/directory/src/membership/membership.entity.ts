import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { HOSPITAL_ROLES, HospitalRoleEnum, type HospitalRole } from '../auth/roles.js';
import { Hospital } from '../hospital/hospital.entity.js';
import { User } from '../user/user.entity.js';

/** A user's role at one hospital. */
@Entity({ tableName: 'membership' })
@Unique({ properties: ['user', 'hospital', 'role'] })
@ObjectType('Membership')
export class Membership {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  user!: Rel<User>;

  @Field(() => Hospital)
  @ManyToOne({ entity: () => Hospital, deleteRule: 'cascade', index: true })
  hospital!: Rel<Hospital>;

  @Field(() => HospitalRoleEnum)
  @Enum({ items: [...HOSPITAL_ROLES], type: 'text' })
  role!: HospitalRole;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
