import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/**
 * A second, OIDC-style issuer for tests that need claims TestIssuer does not sign (name,
 * given_name, family_name). Trusted through AUTH_EXTRA_ISSUERS.
 */
export class OidcTestIssuer {
  private server?: http.Server;
  private privateKey!: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  private jwk!: JWK;
  issuer = '';
  jwksUrl = '';

  static async start(): Promise<OidcTestIssuer> {
    const issuer = new OidcTestIssuer();
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    issuer.privateKey = privateKey;
    issuer.jwk = { ...(await exportJWK(publicKey)), kid: 'oidc-test-key', alg: 'ES256', use: 'sig' };
    issuer.server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [issuer.jwk] }));
    });
    await new Promise<void>((resolve) => issuer.server!.listen(0, '127.0.0.1', resolve));
    const { port } = issuer.server.address() as AddressInfo;
    issuer.issuer = `http://127.0.0.1:${port}`;
    issuer.jwksUrl = `${issuer.issuer}/jwks`;
    return issuer;
  }

  /** For AUTH_EXTRA_ISSUERS. */
  get extraIssuersEnv(): string {
    return JSON.stringify([{ issuer: this.issuer, jwksUrl: this.jwksUrl }]);
  }

  sign(sub: string, claims: Record<string, unknown>): Promise<string> {
    return new SignJWT({ kind: 'user', roles: [], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'oidc-test-key' })
      .setSubject(sub)
      .setIssuer(this.issuer)
      .setAudience('pneumonia-triage')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(this.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
