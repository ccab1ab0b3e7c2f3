import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tamperToken, TestIssuer, unsignedToken } from '@triage/testing';
import { createRemoteJWKSet } from 'jose';
import { createTokenVerifier, type TokenVerifier } from './index.js';

describe('createTokenVerifier', () => {
  let issuer: TestIssuer;
  let other: TestIssuer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    other = await TestIssuer.start();
    verifier = createTokenVerifier([issuer.trusted]);
  });
  afterAll(async () => {
    await issuer.stop();
    await other.stop();
  });

  it('accepts a valid token and maps its claims', async () => {
    const token = await issuer.sign({
      sub: 'u1',
      roles: ['researcher', 'superuser'],
      memberships: [{ hospitalId: 'h1', role: 'doctor' }, { hospitalId: 'h2', role: 'janitor' }],
    });
    const principal = await verifier.verify(token);
    expect(principal.subject).toBe('u1');
    expect(principal.roles).toEqual(['researcher']);
    expect(principal.memberships).toEqual([{ hospitalId: 'h1', role: 'doctor' }]);
  });

  it('refuses expired, tampered, unsigned and foreign tokens', async () => {
    const expired = await issuer.sign({ sub: 'u1', issuedAt: Math.floor(Date.now() / 1000) - 3600, expiresIn: Math.floor(Date.now() / 1000) - 60 });
    await expect(verifier.verify(expired)).rejects.toThrow(/expired/);
    const valid = await issuer.sign({ sub: 'u1', memberships: [{ hospitalId: 'h1', role: 'doctor' }] });
    await expect(verifier.verify(tamperToken(valid, { memberships: [{ hospitalId: 'h2', role: 'doctor' }] }))).rejects.toThrow(/not valid/);
    const none = unsignedToken({ sub: 'u1', iss: issuer.issuer, aud: issuer.audience, exp: Math.floor(Date.now() / 1000) + 600 });
    await expect(verifier.verify(none)).rejects.toThrow(/not valid/);
    await expect(verifier.verify(await other.sign({ sub: 'u1' }))).rejects.toThrow(/not trusted/);
    await expect(verifier.fromHeader('Basic abc')).rejects.toThrow(/Bearer/);
  });

  it('checks a token\'s signature once, then again only when the cache lets it go', async () => {
    let keyLookups = 0;
    const counting = createTokenVerifier(
      [issuer.trusted],
      (trusted) => {
        const jwks = createRemoteJWKSet(new URL(trusted.jwksUrl));
        return (header, token) => {
          keyLookups += 1;
          return jwks(header, token);
        };
      },
      { ttlMs: 200, maxEntries: 2 },
    );
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => issuer.sign({ sub })));
    expect((await counting.verify(a!)).subject).toBe('a');
    expect((await counting.verify(a!)).subject).toBe('a');
    expect(keyLookups).toBe(1);
    // At most two remembered: c pushes a out.
    await counting.verify(b!);
    await counting.verify(c!);
    expect(keyLookups).toBe(3);
    await counting.verify(a!);
    expect(keyLookups).toBe(4);
    // After the time to live, the signature is checked again.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await counting.verify(a!);
    expect(keyLookups).toBe(5);
  });

  it('never accepts a remembered token past its expiry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 1;
    const token = await issuer.sign({ sub: 'u1', expiresIn: exp });
    expect((await verifier.verify(token)).subject).toBe('u1');
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 20));
    await expect(verifier.verify(token)).rejects.toThrow(/expired/);
  });
});
