import { Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { assertCanReadHospital, worklistHospitals } from '../authorization.js';
import type { TriageContext } from '../context.js';
import { Hospital, hospitalRef } from '../hospital/hospital.type.js';
import { Study, studyRef } from '../study/study.type.js';
import { WorklistItem } from './worklist-item.entity.js';
import { WorklistArgs, WorklistConnection, WorklistItemArgs } from './worklist.inputs.js';
import { findWorklistPage, WORKLIST_DEFAULT_PAGE } from './worklist.service.js';

@Resolver(() => WorklistConnection)
export class WorklistResolver {
  @Query(() => WorklistConnection, {
    description: 'Studies of the caller\'s hospitals, highest risk first (keyset pagination)',
  })
  async worklist(@Args(() => WorklistArgs) args: WorklistArgs, @Ctx() ctx: TriageContext): Promise<WorklistConnection> {
    const hospitalIds = worklistHospitals(ctx.principal, args.hospitalIds);
    const page = await findWorklistPage(ctx.em, {
      hospitalIds,
      first: args.first ?? WORKLIST_DEFAULT_PAGE,
      after: args.after,
      minRisk: args.minRisk,
      status: args.status,
    });
    return Object.assign(new WorklistConnection(), {
      edges: page.edges,
      pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
      countTotal: page.totalCount,
    });
  }

  @FieldResolver(() => Int, { description: 'Items matching the filters, over all pages' })
  totalCount(@Root() connection: WorklistConnection): Promise<number> {
    return connection.countTotal();
  }
}

@Resolver(() => WorklistItem)
export class WorklistItemResolver {
  @Query(() => WorklistItem, {
    nullable: true,
    description: 'One study\'s worklist item (null until triage has heard of the study); same access as the worklist',
  })
  worklistItem(@Args(() => WorklistItemArgs) { hospitalId, studyId }: WorklistItemArgs, @Ctx() ctx: TriageContext): Promise<WorklistItem | null> {
    assertCanReadHospital(ctx.principal, hospitalId);
    return ctx.loaders.worklistItem.load({ hospitalId, studyId });
  }

  @FieldResolver(() => Hospital)
  hospital(@Root() item: WorklistItem): Hospital {
    return hospitalRef(item.hospitalId);
  }

  @FieldResolver(() => Study)
  study(@Root() item: WorklistItem): Study {
    return studyRef(item.hospitalId, item.studyId, item);
  }
}
