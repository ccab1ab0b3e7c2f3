import { GraphQLScalarType, Kind } from 'graphql';
import { ArgsType, Field, Float, ID, ObjectType } from 'type-graphql';
import { WorklistItem } from './worklist-item.entity.js';

const CURSOR_PATTERN = /^\d{1,19}$/;

/**
 * The position of an event in the triage stream (its JetStream sequence, as a string). Opaque to
 * clients: they only hand back the last one they saw to resume a feed.
 */
export const CursorScalar = new GraphQLScalarType({
  name: 'Cursor',
  description: 'Opaque position in the live triage feed; pass the last one received as `after` to resume',
  serialize(value) {
    if (
      (typeof value === 'string' && CURSOR_PATTERN.test(value)) ||
      (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
    ) {
      return String(value);
    }
    throw new TypeError('Cursor must be a stream position');
  },
  parseValue(value) {
    if (typeof value === 'string' && CURSOR_PATTERN.test(value)) return value;
    throw new TypeError('Invalid cursor');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING && CURSOR_PATTERN.test(ast.value)) return ast.value;
    throw new TypeError('Invalid cursor');
  },
});

@ObjectType('WorklistEvent', {
  description: 'A worklist item that appeared or changed, at its position in the feed',
})
export class WorklistEvent {
  @Field(() => CursorScalar, { description: 'Resume after this event with `after`' })
  cursor!: string;

  @Field(() => WorklistItem)
  item!: WorklistItem;
}

@ArgsType()
export class TriageFeedArgs {
  @Field(() => [ID], { nullable: true, description: 'Defaults to every hospital of the caller' })
  hospitalIds?: string[] | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Only items whose risk is at least this (items without a risk are left out)',
  })
  minRisk?: number | null;

  @Field(() => CursorScalar, {
    nullable: true,
    description: 'Replay the events after this cursor first, then continue live',
  })
  after?: string | null;
}

@ArgsType()
export class StudyUpdatedArgs {
  @Field(() => ID)
  hospitalId!: string;

  @Field(() => ID, { description: 'The study id' })
  id!: string;

  @Field(() => CursorScalar, {
    nullable: true,
    description: 'Replay the events after this cursor first, then continue live',
  })
  after?: string | null;
}
