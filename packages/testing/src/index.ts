import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import pg from 'pg';

export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A short unique token for database, stream and bucket names of one test run. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function databaseUrlFor(database: string, server = TEST_DATABASE_SERVER): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(database: string, server = TEST_DATABASE_SERVER): Promise<string> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return databaseUrlFor(database, server);
}

export async function dropTestDatabase(database: string, server = TEST_DATABASE_SERVER): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface TokenClaims {
  sub: string;
  roles?: string[];
  memberships?: { hospitalId: string; role: string }[];
  kind?: 'user' | 'service';
  expiresIn?: string | number;
  issuedAt?: number;
}

/**
 * A real ES256 issuer with a JWKS endpoint on loopback, for tests of services that verify tokens
 * without running the directory.
 */
export class TestIssuer {
  private server?: http.Server;
  private privateKey!: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  private jwk!: JWK;
  issuer = '';
  jwksUrl = '';
  readonly audience = 'pneumonia-triage';

  static async start(): Promise<TestIssuer> {
    const issuer = new TestIssuer();
    await issuer.listen();
    return issuer;
  }

  private async listen(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    this.server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [this.jwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.issuer = `http://127.0.0.1:${port}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
  }

  get trusted() {
    return { issuer: this.issuer, jwksUrl: this.jwksUrl, audience: this.audience };
  }

  async sign(claims: TokenClaims): Promise<string> {
    const jwt = new SignJWT({
      roles: claims.roles ?? [],
      memberships: claims.memberships ?? [],
      kind: claims.kind ?? 'user',
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject(claims.sub)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(claims.issuedAt)
      .setExpirationTime(claims.expiresIn ?? '10m');
    return jwt.sign(this.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** `alg: none` token with the given claims: must be refused everywhere. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** Flips a character in the payload so the signature no longer matches. */
export function tamperToken(token: string, patch: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const tampered = Buffer.from(JSON.stringify({ ...claims, ...patch })).toString('base64url');
  return `${header}.${tampered}.${signature}`;
}

export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ status: number; data?: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: never[] };
  return { status: res.status, ...body };
}

/** A TCP port that was free a moment ago, for services whose URL must be known before they start. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
export * from './tiny-model.js';
export * from './otlp-receiver.js';
export * from './phi-scan.js';
