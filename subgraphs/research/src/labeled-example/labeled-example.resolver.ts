import { Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { ResearchContext } from '../context.js';
import { EXAMPLES_DEFAULT_PAGE, LabeledExamplesArgs, ResearchExampleConnection } from './labeled-example.inputs.js';
import { findExamplesPage } from './labeled-example.service.js';

@Resolver(() => ResearchExampleConnection)
export class LabeledExampleResolver {
  @Query(() => ResearchExampleConnection, { description: 'Labelled examples, newest first (keyset pagination)' })
  async labeledExamples(@Args(() => LabeledExamplesArgs) args: LabeledExamplesArgs, @Ctx() ctx: ResearchContext): Promise<ResearchExampleConnection> {
    const page = await findExamplesPage(ctx.em, { ...args, first: args.first ?? EXAMPLES_DEFAULT_PAGE });
    return Object.assign(new ResearchExampleConnection(), {
      edges: page.edges,
      pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
      countTotal: page.totalCount,
    });
  }

  @FieldResolver(() => Int, { description: 'Examples matching the filters, over all pages' })
  totalCount(@Root() connection: ResearchExampleConnection): Promise<number> {
    return connection.countTotal();
  }
}
