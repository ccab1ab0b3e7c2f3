import { ArgsType, Field, ID, InputType } from 'type-graphql';

@InputType()
export class CreateHospitalInput {
  @Field(() => String, { description: 'Stable short name ([a-z0-9-]+); cannot be changed later' })
  slug!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "URL of the hospital's hospital-subgraph instance" })
  subgraphUrl!: string;
}

/** The slug is immutable: bucket and stream names are derived from it. */
@InputType()
export class UpdateHospitalInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  subgraphUrl?: string | null;
}

@ArgsType()
export class UpdateHospitalArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => UpdateHospitalInput)
  input!: UpdateHospitalInput;
}
