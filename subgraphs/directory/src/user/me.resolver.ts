import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { requirePrincipal } from '../auth/guards.js';
import type { DirectoryContext } from '../context.js';
import { Membership } from '../membership/membership.entity.js';
import { Me } from './me.type.js';

@Resolver(() => Me)
export class MeResolver {
  @Query(() => Me, { nullable: true, description: 'The calling user; null for a service credential' })
  me(@Ctx() ctx: DirectoryContext): Promise<Me | null> {
    return ctx.auth.me(requirePrincipal(ctx));
  }

  @FieldResolver(() => [Membership])
  memberships(@Root() me: Me, @Ctx() ctx: DirectoryContext): Promise<Membership[]> {
    return ctx.loaders.membershipsByUser.load(me.id);
  }
}
