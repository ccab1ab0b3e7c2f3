import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { ResearchContext } from '../context.js';
import { Dataset } from './dataset.entity.js';

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => [Dataset], { description: 'Frozen datasets, newest version first' })
  datasets(@Ctx() ctx: ResearchContext): Promise<Dataset[]> {
    return ctx.datasets.findAll(ctx.em);
  }

  @Query(() => Dataset, { nullable: true })
  dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: ResearchContext): Promise<Dataset | null> {
    return ctx.datasets.findById(ctx.em, id);
  }

  @Mutation(() => Dataset, {
    description:
      'Freezes every example with a PNEUMONIA or NORMAL finding into a new dataset version and writes its .npz and PNG + CSV exports',
  })
  freezeDataset(@Arg('name', () => String, { nullable: true }) name: string | null, @Ctx() ctx: ResearchContext): Promise<Dataset> {
    return ctx.datasets.freeze(name, ctx.principal!.subject);
  }
}
