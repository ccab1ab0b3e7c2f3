import { z } from 'zod';
import type { TrustedIssuer } from './verifier.js';

export const DEFAULT_AUDIENCE = 'pneumonia-triage';

/**
 * The token issuers a service trusts, shared by every service's env.ts:
 * AUTH_ISSUER + AUTH_JWKS_URL (the built-in directory issuer or one OIDC issuer), plus
 * AUTH_EXTRA_ISSUERS, a JSON array of {issuer, jwksUrl, audience?} for more OIDC issuers.
 */
export const authEnvShape = {
  AUTH_ISSUER: z.string().url(),
  AUTH_JWKS_URL: z.string().url(),
  AUTH_AUDIENCE: z.string().default(DEFAULT_AUDIENCE),
  AUTH_EXTRA_ISSUERS: z
    .string()
    .default('[]')
    .transform((raw, ctx) => {
      try {
        return z
          .array(z.object({ issuer: z.string().url(), jwksUrl: z.string().url(), audience: z.string().optional() }))
          .parse(JSON.parse(raw));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON array of {issuer, jwksUrl}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
};

export function trustedIssuersFromEnv(env: {
  AUTH_ISSUER: string;
  AUTH_JWKS_URL: string;
  AUTH_AUDIENCE: string;
  AUTH_EXTRA_ISSUERS: { issuer: string; jwksUrl: string; audience?: string }[];
}): TrustedIssuer[] {
  return [
    { issuer: env.AUTH_ISSUER, jwksUrl: env.AUTH_JWKS_URL, audience: env.AUTH_AUDIENCE },
    ...env.AUTH_EXTRA_ISSUERS.map((i) => ({ ...i, audience: i.audience ?? env.AUTH_AUDIENCE })),
  ];
}
