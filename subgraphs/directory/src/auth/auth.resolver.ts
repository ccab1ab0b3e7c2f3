import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { DirectoryContext } from '../context.js';
import { AuthPayload, LoginArgs } from './auth.types.js';

/** The two operations anonymous callers may use. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Log in with email and password' })
  login(@Args(() => LoginArgs) { email, password }: LoginArgs, @Ctx() ctx: DirectoryContext): Promise<AuthPayload> {
    return ctx.auth.login(email, password);
  }

  @Mutation(() => AuthPayload, { description: "Exchange a service credential's API key for a service token" })
  exchangeApiKey(@Arg('apiKey', () => String) apiKey: string, @Ctx() ctx: DirectoryContext): Promise<AuthPayload> {
    return ctx.auth.exchangeApiKey(apiKey);
  }
}
