import { ArgsType, Field, ID, Int } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';

/** Every root field names its hospital: the gateway routes on it and the instance checks it. */
@ArgsType()
export class HospitalArgs {
  @Field(() => ID, { description: 'The hospital; must be the one this instance serves.' })
  hospitalId!: string;
}

@ArgsType()
export class HospitalEntityArgs extends HospitalArgs {
  @Field(() => ID)
  id!: string;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: `At most ${MAX_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: '`endCursor` of the previous page.' })
  after?: string | null;
}

@ArgsType()
export class HospitalPageArgs extends HospitalArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: `At most ${MAX_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: '`endCursor` of the previous page.' })
  after?: string | null;
}
