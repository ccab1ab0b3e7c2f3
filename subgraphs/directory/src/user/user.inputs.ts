import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { HospitalRoleEnum, PlatformRoleEnum, type HospitalRole, type PlatformRole } from '../auth/roles.js';

@InputType()
export class CreateUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { description: 'At least 8 characters' })
  password!: string;

  @Field(() => [PlatformRoleEnum], { defaultValue: [] })
  roles!: PlatformRole[];
}

@ArgsType()
export class MembershipArgs {
  @Field(() => ID)
  userId!: string;

  @Field(() => ID)
  hospitalId!: string;

  @Field(() => HospitalRoleEnum)
  role!: HospitalRole;
}

@ArgsType()
export class SetUserDisabledArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean)
  disabled!: boolean;
}
