import type { GraphQLServiceSettings, RequestContext } from '@triage/service-common';
import { SIGNING_ALG, type SigningKeyStore } from '../signing-key/signing-key.store.js';

type MountRoutes = NonNullable<GraphQLServiceSettings<RequestContext>['routes']>;

export const jwksUrlOf = (issuer: string) => `${issuer}/.well-known/jwks.json`;

/** Discovery documents, so any service can trust this issuer like an OIDC provider. */
export function wellKnownRoutes(issuer: string, keys: SigningKeyStore): MountRoutes {
  return (app) => {
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.set('cache-control', 'public, max-age=300').json(keys.publicJwks());
    });
    app.get('/.well-known/openid-configuration', (_req, res) => {
      res.set('cache-control', 'public, max-age=300').json({
        issuer,
        jwks_uri: jwksUrlOf(issuer),
        id_token_signing_alg_values_supported: [SIGNING_ALG],
      });
    });
  };
}
