import { Field, Float, Int, ObjectType } from 'type-graphql';

/** Shapes of the JSON a model card stores (ModelMetrics / InputSpec of @triage/model). */

@ObjectType('ModelConfusion')
export class ModelConfusion {
  @Field(() => Int)
  tp!: number;

  @Field(() => Int)
  fp!: number;

  @Field(() => Int)
  tn!: number;

  @Field(() => Int)
  fn!: number;
}

@ObjectType('ModelMetricInterval', { description: '95% confidence interval of one metric' })
export class ModelMetricInterval {
  @Field(() => String)
  metric!: string;

  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  high!: number;
}

@ObjectType('ModelCardMetrics')
export class ModelCardMetrics {
  @Field(() => String, { description: 'The split the metrics were measured on' })
  split!: string;

  @Field(() => Int)
  n!: number;

  @Field(() => Float)
  auc!: number;

  @Field(() => Float)
  accuracy!: number;

  @Field(() => Float)
  sensitivity!: number;

  @Field(() => Float)
  specificity!: number;

  @Field(() => Float)
  f1!: number;

  @Field(() => Float, { description: 'Expected calibration error' })
  ece!: number;

  @Field(() => ModelConfusion)
  confusion!: ModelConfusion;

  /** The card's `ci95` record; exposed as a list by ModelCardMetricsResolver. */
  ci95!: Record<string, [number, number]>;
}

@ObjectType('ModelInputSpec', { description: 'How an image becomes the model input' })
export class ModelInputSpec {
  @Field(() => Int)
  size!: number;

  @Field(() => String)
  crop!: string;

  @Field(() => String)
  resize!: string;

  @Field(() => Boolean)
  grayscale!: boolean;

  @Field(() => String)
  layout!: string;

  /** Exposed as normalizeMean / normalizeStd by ModelCardResolvers. */
  normalize!: { mean: number; std: number };
}
