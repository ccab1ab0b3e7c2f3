import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { JWK } from 'jose';

/**
 * A token signing key pair, kept in the database so every replica signs with and publishes the
 * same keys. The private JWK is hidden from serialization and must never be logged.
 */
@Entity({ tableName: 'signing_key' })
export class SigningKey {
  @PrimaryKey({ type: 'text' })
  kid!: string;

  @Property({ type: 'text' })
  alg: string = 'ES256';

  @Property({ type: 'json', hidden: true })
  privateJwk!: JWK;

  @Property({ type: 'json' })
  publicJwk!: JWK;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
