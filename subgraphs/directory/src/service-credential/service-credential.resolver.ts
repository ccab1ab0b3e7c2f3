import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireAdmin } from '../auth/guards.js';
import type { DirectoryContext } from '../context.js';
import { ServiceCredential } from './service-credential.entity.js';
import { CreatedServiceCredential, CreateServiceCredentialArgs } from './service-credential.types.js';

/** Service credential administration: administrators only. */
@Resolver(() => ServiceCredential)
export class ServiceCredentialResolver {
  @Query(() => [ServiceCredential], { description: 'Administrators only' })
  serviceCredentials(
    @Arg('hospitalId', () => ID, { nullable: true }) hospitalId: string | null,
    @Ctx() ctx: DirectoryContext,
  ): Promise<ServiceCredential[]> {
    requireAdmin(ctx);
    return ctx.credentials.list(hospitalId);
  }

  @Mutation(() => CreatedServiceCredential, { description: 'Administrators only. The API key is shown once.' })
  createServiceCredential(
    @Args(() => CreateServiceCredentialArgs) { hospitalId, name }: CreateServiceCredentialArgs,
    @Ctx() ctx: DirectoryContext,
  ): Promise<CreatedServiceCredential> {
    requireAdmin(ctx);
    return ctx.credentials.create(hospitalId, name);
  }

  @Mutation(() => ServiceCredential, { description: 'Administrators only. Existing service tokens expire on their own.' })
  revokeServiceCredential(@Arg('id', () => ID) id: string, @Ctx() ctx: DirectoryContext): Promise<ServiceCredential> {
    requireAdmin(ctx);
    return ctx.credentials.revoke(id);
  }
}
