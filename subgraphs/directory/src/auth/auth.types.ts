import { ArgsType, Field, ObjectType } from 'type-graphql';
import { Me } from '../user/me.type.js';

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'Bearer token (ES256 JWT)' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Me, { nullable: true, description: 'The logged-in user; null for a service credential' })
  user!: Me | null;
}

@ArgsType()
export class LoginArgs {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}
