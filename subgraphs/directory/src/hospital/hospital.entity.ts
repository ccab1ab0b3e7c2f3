import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * A hospital of the platform. A federation entity: other subgraphs return `Hospital` stubs by id
 * and the gateway resolves the name here. `subgraphUrl` is exposed by HospitalResolver to admins only.
 */
@Entity({ tableName: 'hospital' })
@ObjectType('Hospital')
@Directive('@key(fields: "id")')
export class Hospital {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => String, { description: 'Stable short name ([a-z0-9-]+), used in bucket names' })
  @Property({ type: 'text', unique: true })
  slug!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  name!: string;

  /** URL of this hospital's instance of the hospital subgraph. */
  @Property({ type: 'text' })
  subgraphUrl!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
