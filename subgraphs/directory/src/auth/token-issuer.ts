import { randomUUID } from 'node:crypto';
import type { Membership } from '@triage/auth';
import { SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeyStore } from '../signing-key/signing-key.store.js';

export interface TokenSubject {
  sub: string;
  kind: 'user' | 'service';
  roles: string[];
  memberships: Pick<Membership, 'hospitalId' | 'role'>[];
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface TokenIssuerSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Signs the platform's access tokens (claims as every subgraph's verifier expects them). */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeyStore,
    readonly settings: TokenIssuerSettings,
  ) {}

  async issue(subject: TokenSubject): Promise<IssuedToken> {
    const { kid, privateKey } = this.keys.signingKey();
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({
      kind: subject.kind,
      roles: subject.roles,
      memberships: subject.memberships.map(({ hospitalId, role }) => ({ hospitalId, role })),
    })
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'JWT' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(subject.sub)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }
}
