import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export const MODEL_EVENT_KINDS = ['PUBLISH', 'ACTIVATE', 'SHADOW', 'CLEAR_SHADOW', 'ROLLBACK', 'EXTERNAL_ACTIVATE'] as const;
export type ModelEventKind = (typeof MODEL_EVENT_KINDS)[number];

export const ModelEventKindEnum = {
  PUBLISH: 'PUBLISH',
  ACTIVATE: 'ACTIVATE',
  SHADOW: 'SHADOW',
  CLEAR_SHADOW: 'CLEAR_SHADOW',
  ROLLBACK: 'ROLLBACK',
  EXTERNAL_ACTIVATE: 'EXTERNAL_ACTIVATE',
} as const satisfies Record<ModelEventKind, ModelEventKind>;
registerEnumType(ModelEventKindEnum, {
  name: 'ModelEventKind',
  valuesConfig: {
    EXTERNAL_ACTIVATE: { description: 'The registry named a version active that this service did not activate (CLI, npm start)' },
  },
});

/** Append-only log of registry changes; the activation history rollbackModel walks back. */
@Entity({ tableName: 'model_event' })
@Index({ name: 'model_event_kind_idx', properties: ['kind', 'id'] })
@ObjectType('ModelRegistryEvent')
export class ModelEvent {
  [OptionalProps]?: 'id' | 'version' | 'previousVersion';

  @Field(() => ID)
  @PrimaryKey({ type: new BigIntType('number'), autoincrement: true })
  id!: number;

  @Field(() => ModelEventKindEnum)
  @Enum({ items: () => ModelEventKindEnum })
  kind!: ModelEventKind;

  @Field(() => String, { nullable: true, description: 'The version the event is about' })
  @Property({ type: 'text', nullable: true })
  version: string | null = null;

  @Field(() => String, { nullable: true, description: 'The version that held the slot before (active or shadow)' })
  @Property({ type: 'text', nullable: true })
  previousVersion: string | null = null;

  @Field(() => String, { description: 'Subject of who did it, or "registry"' })
  @Property({ type: 'text' })
  actor!: string;

  @Field(() => Date)
  @Property({ type: 'datetime', length: 3 })
  occurredAt!: Date;
}
