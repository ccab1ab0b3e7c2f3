import { requirePrincipal } from '../auth/guards.js';
import type { DirectoryContext } from '../context.js';
import type { Hospital } from './hospital.entity.js';

/** Resolves the `Hospital` stubs other subgraphs return (batched per request). */
export const hospitalReferenceResolvers = {
  Hospital: {
    __resolveReference(reference: { id: string }, ctx: DirectoryContext): Promise<Hospital | null> {
      requirePrincipal(ctx);
      return ctx.loaders.hospitalById.load(reference.id);
    },
  },
};
