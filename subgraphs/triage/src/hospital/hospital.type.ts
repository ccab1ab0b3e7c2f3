import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The directory subgraph owns Hospital; triage only hands out references to it. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Hospital')
export class Hospital {
  @Field(() => ID)
  id!: string;
}

export const hospitalRef = (id: string): Hospital => Object.assign(new Hospital(), { id });
