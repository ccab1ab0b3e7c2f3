import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireAdmin } from '../auth/guards.js';
import type { DirectoryContext } from '../context.js';
import { Membership } from '../membership/membership.entity.js';
import { CreateUserInput, MembershipArgs, SetUserDisabledArgs } from './user.inputs.js';
import { User } from './user.entity.js';

/** User administration: administrators only. */
@Resolver(() => User)
export class UserResolver {
  @Query(() => [User], { description: 'Administrators only' })
  users(@Ctx() ctx: DirectoryContext): Promise<User[]> {
    requireAdmin(ctx);
    return ctx.users.list();
  }

  @FieldResolver(() => [Membership])
  memberships(@Root() user: User, @Ctx() ctx: DirectoryContext): Promise<Membership[]> {
    return ctx.loaders.membershipsByUser.load(user.id);
  }

  @Mutation(() => User, { description: 'Administrators only' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: DirectoryContext): Promise<User> {
    requireAdmin(ctx);
    return ctx.users.create(input);
  }

  @Mutation(() => User, { description: 'Administrators only. A disabled user can no longer log in.' })
  setUserDisabled(
    @Args(() => SetUserDisabledArgs) { id, disabled }: SetUserDisabledArgs,
    @Ctx() ctx: DirectoryContext,
  ): Promise<User> {
    requireAdmin(ctx);
    return ctx.users.setDisabled(id, disabled);
  }

  @Mutation(() => User, { description: 'Administrators only. Idempotent. Takes effect at the next login.' })
  grantMembership(
    @Args(() => MembershipArgs) { userId, hospitalId, role }: MembershipArgs,
    @Ctx() ctx: DirectoryContext,
  ): Promise<User> {
    requireAdmin(ctx);
    return ctx.users.grantMembership(userId, hospitalId, role);
  }

  @Mutation(() => User, { description: 'Administrators only. Idempotent. Takes effect at the next login.' })
  revokeMembership(
    @Args(() => MembershipArgs) { userId, hospitalId, role }: MembershipArgs,
    @Ctx() ctx: DirectoryContext,
  ): Promise<User> {
    requireAdmin(ctx);
    return ctx.users.revokeMembership(userId, hospitalId, role);
  }
}
