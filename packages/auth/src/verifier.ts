import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { unauthenticated } from './errors.js';
import { ROLES, type Membership, type Principal, type Role } from './principal.js';

export interface TrustedIssuer {
  issuer: string;
  jwksUrl: string;
  audience: string;
}

/** Signature algorithms we accept. `none` and HMAC are never accepted. */
export const ACCEPTED_ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'];

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
  /** Verifies the `Authorization: Bearer` header, or returns null when there is none. */
  fromHeader(header: string | undefined | null): Promise<Principal | null>;
}

export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most (the oldest go first); 0 turns the cache off. */
  maxEntries?: number;
  /** How long a verified token is trusted without checking its signature again (never past its expiry). */
  ttlMs?: number;
}

/**
 * Every request carries its bearer token, and the gateway and each subgraph verify it: a signature
 * check per request per service. A token that verified is remembered (by its exact text) for a
 * short while, never past its own expiry, so its holder's next requests skip the signature check.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(token: string, now: number): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  set(token: string, principal: Principal, now: number): void {
    if (this.maxEntries <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { principal, until: Math.min(principal.expiresAt, now + this.ttlMs) });
  }
}

export function createTokenVerifier(
  issuers: TrustedIssuer[],
  getKey?: (issuer: TrustedIssuer) => JWTVerifyGetKey,
  cacheOptions: VerifiedTokenCacheOptions = {},
): TokenVerifier {
  if (issuers.length === 0) throw new Error('At least one trusted token issuer is required');
  const keys = new Map<string, { issuer: TrustedIssuer; key: JWTVerifyGetKey }>();
  for (const issuer of issuers) {
    keys.set(issuer.issuer, {
      issuer,
      key: getKey ? getKey(issuer) : createRemoteJWKSet(new URL(issuer.jwksUrl), { cooldownDuration: 5_000 }),
    });
  }

  const cache = new VerifiedTokenCache(cacheOptions.maxEntries ?? 10_000, cacheOptions.ttlMs ?? 60_000);

  async function verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = cache.get(token, now);
    if (known) return known;
    const principal = await verifySignature(token);
    cache.set(token, principal, now);
    return principal;
  }

  async function verifySignature(token: string): Promise<Principal> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      throw unauthenticated('Malformed token');
    }
    const trusted = claims.iss ? keys.get(claims.iss) : undefined;
    if (!trusted) throw unauthenticated('Token issuer is not trusted');
    try {
      const { payload } = await jwtVerify(token, trusted.key, {
        issuer: trusted.issuer.issuer,
        audience: trusted.issuer.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      });
      return toPrincipal(payload, token);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw unauthenticated('Token has expired');
      throw unauthenticated('Token is not valid');
    }
  }

  return {
    verify,
    async fromHeader(header) {
      if (!header) return null;
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthenticated('Authorization header must be "Bearer <token>"');
      return verify(match[1]!);
    },
  };
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Maps claims to a principal; unknown roles are dropped rather than trusted. */
export function toPrincipal(payload: JWTPayload, token: string): Principal {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
  const memberships: Membership[] = Array.isArray(payload.memberships)
    ? (payload.memberships as unknown[]).flatMap((m) => {
        const { hospitalId, role } = (m ?? {}) as Record<string, unknown>;
        return typeof hospitalId === 'string' && isRole(role) ? [{ hospitalId, role }] : [];
      })
    : [];
  return {
    subject: payload.sub!,
    kind: payload.kind === 'service' ? 'service' : 'user',
    issuer: payload.iss!,
    roles,
    memberships,
    expiresAt: payload.exp! * 1000,
    token,
  };
}
