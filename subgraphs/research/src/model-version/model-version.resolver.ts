import { ACTIVE_KEY } from '@triage/model';
import { Arg, Ctx, FieldResolver, Float, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ResearchContext } from '../context.js';
import { ModelCardMetrics, ModelInputSpec, ModelMetricInterval } from './model-card.type.js';
import { ModelEvent } from './model-event.entity.js';
import { SHADOW_KEY } from './model-registry.service.js';
import { ModelVersion } from './model-version.entity.js';

const MAX_EVENTS = 500;

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => [ModelVersion], { description: 'Published model versions with their model cards, newest first' })
  models(@Ctx() ctx: ResearchContext): Promise<ModelVersion[]> {
    return ctx.registry.list(ctx.em);
  }

  @Query(() => ModelVersion, { nullable: true, description: 'The version the inference workers run (registry KV key "active")' })
  activeModel(@Ctx() ctx: ResearchContext): Promise<ModelVersion | null> {
    return ctx.registry.inSlot(ctx.em, ACTIVE_KEY);
  }

  @Query(() => ModelVersion, {
    name: 'shadowModel',
    nullable: true,
    description: 'The version run in shadow on live traffic (registry KV key "shadow"), if any',
  })
  currentShadowModel(@Ctx() ctx: ResearchContext): Promise<ModelVersion | null> {
    return ctx.registry.inSlot(ctx.em, SHADOW_KEY);
  }

  @Query(() => [ModelEvent], { description: 'Registry changes (publish, activate, shadow, rollback), newest first' })
  modelEvents(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: `At most ${MAX_EVENTS}` }) first: number,
    @Ctx() ctx: ResearchContext,
  ): Promise<ModelEvent[]> {
    return ctx.registry.events(ctx.em, Math.max(0, Math.min(first ?? 50, MAX_EVENTS)));
  }

  @Mutation(() => ModelVersion, { description: 'Makes a published version the active model: the inference workers switch to it' })
  activateModel(@Arg('version', () => String) version: string, @Ctx() ctx: ResearchContext): Promise<ModelVersion> {
    return ctx.registry.activate(version, ctx.principal!.subject);
  }

  @Mutation(() => ModelVersion, {
    name: 'shadowModel',
    description: 'Runs a published version beside the active model on live traffic; its predictions are recorded, never shown to doctors',
  })
  setShadowModel(@Arg('version', () => String) version: string, @Ctx() ctx: ResearchContext): Promise<ModelVersion> {
    return ctx.registry.shadow(version, ctx.principal!.subject);
  }

  @Mutation(() => ModelVersion, { nullable: true, description: 'Stops the shadow model; returns the version that was in shadow' })
  clearShadow(@Ctx() ctx: ResearchContext): Promise<ModelVersion | null> {
    return ctx.registry.clearShadow(ctx.principal!.subject);
  }

  @Mutation(() => ModelVersion, { description: 'Re-activates the version that was active before the current one' })
  rollbackModel(@Ctx() ctx: ResearchContext): Promise<ModelVersion> {
    return ctx.registry.rollback(ctx.principal!.subject);
  }
}

/** The model card is stored as JSON; these fields reshape parts of it for GraphQL. */
@Resolver(() => ModelCardMetrics)
export class ModelCardMetricsResolver {
  @FieldResolver(() => [ModelMetricInterval], { description: '95% confidence intervals from the model card' })
  ci95(@Root() metrics: ModelCardMetrics): ModelMetricInterval[] {
    return Object.entries(metrics.ci95 ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([metric, [low, high]]) => ({ metric, low, high }));
  }
}

@Resolver(() => ModelInputSpec)
export class ModelInputSpecResolver {
  @FieldResolver(() => Float, { description: 'Pixels become (v / 255 - mean) / std' })
  normalizeMean(@Root() spec: ModelInputSpec): number {
    return spec.normalize.mean;
  }

  @FieldResolver(() => Float)
  normalizeStd(@Root() spec: ModelInputSpec): number {
    return spec.normalize.std;
  }
}
