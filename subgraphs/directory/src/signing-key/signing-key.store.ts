import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@triage/logger';
import type { Orm } from '@triage/service-common';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { SigningKey } from './signing-key.entity.js';

export const SIGNING_ALG = 'ES256';
/** pg advisory lock id: replicas starting together create one key, not one each. */
const SIGNING_KEY_LOCK = 7_400_001;

export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * The issuer's keys, loaded from the database. Tokens are signed with the newest key; every stored
 * key stays in the JWKS so tokens signed before a rotation still verify.
 */
export class SigningKeyStore {
  private active?: ActiveSigningKey;
  private jwks: JSONWebKeySet = { keys: [] };
  private localKeySet?: ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly orm: Orm) {}

  /** Loads the keys, generating the first one when the database has none. */
  async ensure(log?: Logger): Promise<void> {
    const keys = await this.orm.em.fork().transactional(async (em: EntityManager) => {
      await em.execute('select pg_advisory_xact_lock(?)', [SIGNING_KEY_LOCK]);
      const existing = await em.find(SigningKey, {}, { orderBy: { createdAt: 'desc' } });
      if (existing.length > 0) return existing;
      const created = await generateSigningKey();
      em.persist(created);
      log?.info({ kid: created.kid }, 'generated the first token signing key');
      return [created];
    });
    const newest = keys[0]!;
    this.active = { kid: newest.kid, privateKey: (await importJWK(newest.privateJwk, SIGNING_ALG)) as CryptoKey };
    this.jwks = { keys: keys.map((k) => k.publicJwk) };
    this.localKeySet = createLocalJWKSet(this.jwks);
  }

  signingKey(): ActiveSigningKey {
    if (!this.active) throw new Error('Signing keys are not loaded yet');
    return this.active;
  }

  /** The public keys, as served at /.well-known/jwks.json. */
  publicJwks(): JSONWebKeySet {
    return this.jwks;
  }

  /** Key resolver for jose's jwtVerify, from the in-process public keys (no HTTP round trip). */
  readonly getKey: JWTVerifyGetKey = (header, token) => {
    if (!this.localKeySet) throw new Error('Signing keys are not loaded yet');
    return this.localKeySet(header, token);
  };
}

async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const key = new SigningKey();
  key.kid = kid;
  key.alg = SIGNING_ALG;
  key.privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG } satisfies JWK;
  key.publicJwk = { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' };
  return key;
}
