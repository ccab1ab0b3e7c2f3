import { assertCanReadHospital } from '../authorization.js';
import type { TriageContext } from '../context.js';
import { studyRef, type Study } from './study.type.js';

/**
 * Federation entry point for `Study` references. A reference to a study of a hospital the caller
 * does not belong to fails with FORBIDDEN for that entity only. The triage rows of all references
 * of a request are fetched in one query by the dataloader.
 */
export const studyReferenceResolvers = {
  Study: {
    async __resolveReference(reference: { hospitalId: string; id: string }, ctx: TriageContext): Promise<Study> {
      assertCanReadHospital(ctx.principal, reference.hospitalId);
      const item = await ctx.loaders.worklistItem.load({ hospitalId: reference.hospitalId, studyId: reference.id });
      return studyRef(reference.hospitalId, reference.id, item);
    },
  },
};
