import { ConfigError } from '@triage/config';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './env.js';

describe('parseConfig', () => {
  it('applies defaults', () => {
    const config = parseConfig({ AUTH_ISSUER: 'http://issuer.test', AUTH_JWKS_URL: 'http://issuer.test/jwks' });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4003, introspection: false });
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/research');
    expect(config.nats).toMatchObject({ url: 'nats://127.0.0.1:4222', namespace: '', maxAckPending: 64 });
    expect(config.models.maxBytes).toBe(50 * 1024 * 1024);
    expect(config.auth.issuers).toEqual([{ issuer: 'http://issuer.test', jwksUrl: 'http://issuer.test/jwks', audience: 'pneumonia-triage' }]);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: 'eighty', NATS_NAMESPACE: 'a.b', DATABASE_URL: 'nope', MAX_MODEL_BYTES: '-1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems).toEqual(expect.arrayContaining(['PORT', 'NATS_NAMESPACE', 'DATABASE_URL', 'MAX_MODEL_BYTES', 'AUTH_ISSUER', 'AUTH_JWKS_URL']));
  });
});
