import { forbidden } from '@triage/auth';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { isAdmin, requireAdmin, requirePrincipal } from '../auth/guards.js';
import type { DirectoryContext } from '../context.js';
import { Hospital } from './hospital.entity.js';
import { CreateHospitalInput, UpdateHospitalArgs } from './hospital.inputs.js';

@Resolver(() => Hospital)
export class HospitalResolver {
  @Query(() => [Hospital], { description: 'Every hospital of the platform (any authenticated caller)' })
  hospitals(@Ctx() ctx: DirectoryContext): Promise<Hospital[]> {
    requirePrincipal(ctx);
    return ctx.hospitals.list();
  }

  @Query(() => Hospital, { nullable: true })
  hospital(@Arg('id', () => ID) id: string, @Ctx() ctx: DirectoryContext): Promise<Hospital | null> {
    requirePrincipal(ctx);
    return ctx.hospitals.byId(id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "URL of the hospital's hospital-subgraph instance (administrators only)",
  })
  subgraphUrl(@Root() hospital: Hospital, @Ctx() ctx: DirectoryContext): string {
    if (!isAdmin(ctx.principal)) throw forbidden('Only administrators may see subgraph URLs');
    return hospital.subgraphUrl;
  }

  @Mutation(() => Hospital, { description: 'Administrators only' })
  createHospital(
    @Arg('input', () => CreateHospitalInput) input: CreateHospitalInput,
    @Ctx() ctx: DirectoryContext,
  ): Promise<Hospital> {
    requireAdmin(ctx);
    return ctx.hospitals.create(input);
  }

  @Mutation(() => Hospital, { description: 'Administrators only' })
  updateHospital(
    @Args(() => UpdateHospitalArgs) { id, input }: UpdateHospitalArgs,
    @Ctx() ctx: DirectoryContext,
  ): Promise<Hospital> {
    requireAdmin(ctx);
    return ctx.hospitals.update(id, input);
  }
}
