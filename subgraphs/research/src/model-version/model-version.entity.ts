import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import type { InputSpec, ModelMetrics } from '@triage/model';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ModelCardMetrics, ModelInputSpec } from './model-card.type.js';

export const MODEL_STATUSES = ['ACTIVE', 'SHADOW', 'RETIRED', 'AVAILABLE'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export const ModelStatusEnum = { ACTIVE: 'ACTIVE', SHADOW: 'SHADOW', RETIRED: 'RETIRED', AVAILABLE: 'AVAILABLE' } as const satisfies Record<
  ModelStatus,
  ModelStatus
>;
registerEnumType(ModelStatusEnum, {
  name: 'ModelStatus',
  valuesConfig: {
    ACTIVE: { description: 'The inference workers run it for every study (registry KV key "active")' },
    SHADOW: { description: 'Also run on live traffic, predictions recorded but never shown (registry KV key "shadow")' },
    RETIRED: { description: 'Was active before' },
    AVAILABLE: { description: 'Published, never active' },
  },
});

/**
 * A published model version: the ONNX file in the models Object Store bucket (`<version>.onnx`)
 * and its model card (metrics, input spec, threshold) read from the file's metadata. The KV
 * bucket of the registry is the truth for what runs; `status` mirrors it.
 */
@Entity({ tableName: 'model_version' })
// At most one ACTIVE and one SHADOW version (one row per status value among those two).
@Index({
  name: 'model_version_live_status_unique',
  expression: `create unique index "model_version_live_status_unique" on "model_version" ("status") where "status" in ('ACTIVE', 'SHADOW')`,
})
@ObjectType('ModelVersion', { description: 'A published pneumonia model version and its model card' })
export class ModelVersion {
  [PrimaryKeyProp]?: 'version';
  [OptionalProps]?: 'status' | 'trainingDataSha256' | 'license';

  @Field(() => ID)
  @PrimaryKey({ type: 'text' })
  version!: string;

  @Field(() => ModelStatusEnum)
  @Enum({ items: () => ModelStatusEnum })
  status: ModelStatus = 'AVAILABLE';

  @Field(() => String, { description: 'SHA-256 of the ONNX bytes' })
  @Property({ type: 'text' })
  sha256!: string;

  @Field(() => String, { description: 'Object name in the models Object Store bucket' })
  @Property({ type: 'text' })
  objectKey!: string;

  @Field(() => Float)
  @Property({ type: new BigIntType('number') })
  sizeBytes!: number;

  @Field(() => Float, { description: 'Risk at or above which the model says PNEUMONIA' })
  @Property({ type: 'double' })
  threshold!: number;

  @Field(() => ModelCardMetrics, { description: 'Metrics on the test split, from the model card' })
  @Property({ type: 'json' })
  metrics!: ModelMetrics;

  @Field(() => ModelInputSpec)
  @Property({ type: 'json' })
  inputSpec!: InputSpec;

  @Field(() => String, {
    nullable: true,
    description: 'SHA-256 of the pixels and labels trained on (train and validation splits of every source, pooled); the model card lists each source file and its SHA-256',
  })
  @Property({ type: 'text', nullable: true })
  trainingDataSha256: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  license: string | null = null;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  publishedAt!: Date;

  @Field(() => String, { description: 'Subject of the publisher ("registry" when found in the registry)' })
  @Property({ type: 'text' })
  publishedBy!: string;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  updatedAt!: Date;
}
