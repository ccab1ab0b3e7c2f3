import { Field, ID, ObjectType } from 'type-graphql';
import { PlatformRoleEnum, type PlatformRole } from '../auth/roles.js';
import type { User } from './user.entity.js';

/** The caller's own account; `memberships` is resolved by MeResolver. */
@ObjectType('Me')
export class Me {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [PlatformRoleEnum])
  roles!: PlatformRole[];

  static from(user: User): Me {
    return Object.assign(new Me(), {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      roles: user.roles,
    });
  }
}
