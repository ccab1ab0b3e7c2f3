import { ConfigError } from '@triage/config';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './env.js';

const valid = {
  HOSPITAL_ID: '0B6F3D3E-3C1A-4A57-9D4E-2F7F0F8F2D11',
  HOSPITAL_SLUG: 'st-mary',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hospital_st_mary',
  AUTH_ISSUER: 'http://127.0.0.1:4104',
  AUTH_JWKS_URL: 'http://127.0.0.1:4104/.well-known/jwks.json',
};

describe('hospital config', () => {
  it('fills defaults and normalizes the hospital id', () => {
    const config = parseConfig(valid);
    expect(config.hospital).toEqual({ id: '0b6f3d3e-3c1a-4a57-9d4e-2f7f0f8f2d11', slug: 'st-mary' });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4101, introspection: false });
    expect(config.nats).toEqual({ url: 'nats://127.0.0.1:4222', namespace: '' });
    expect(config.auth.issuers).toEqual([
      { issuer: valid.AUTH_ISSUER, jwksUrl: valid.AUTH_JWKS_URL, audience: 'pneumonia-triage' },
    ]);
  });

  it('has ingest defaults (64 MiB, 50 megapixels, 15 minutes) and takes overrides', () => {
    expect(parseConfig(valid).ingest).toEqual({
      publicGatewayUrl: 'http://127.0.0.1:4000',
      maxUploadBytes: 64 * 1024 * 1024,
      maxImagePixels: 50_000_000,
      uploadUrlTtlSeconds: 900,
    });
    const custom = parseConfig({
      ...valid,
      PUBLIC_GATEWAY_URL: 'https://triage.example.org/',
      MAX_UPLOAD_BYTES: '1048576',
      MAX_IMAGE_PIXELS: '1000',
      UPLOAD_URL_TTL_SECONDS: '60',
    });
    expect(custom.ingest).toEqual({ publicGatewayUrl: 'https://triage.example.org', maxUploadBytes: 1048576, maxImagePixels: 1000, uploadUrlTtlSeconds: 60 });
    let error: unknown;
    try {
      parseConfig({ ...valid, MAX_UPLOAD_BYTES: String(2 * 1024 ** 3), UPLOAD_URL_TTL_SECONDS: '0', PUBLIC_GATEWAY_URL: 'gateway' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['MAX_UPLOAD_BYTES', 'PUBLIC_GATEWAY_URL', 'UPLOAD_URL_TTL_SECONDS'].sort(),
    );
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({ ...valid, HOSPITAL_ID: 'general', HOSPITAL_SLUG: 'St Mary', NATS_NAMESPACE: 'a.b', DATABASE_URL: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DATABASE_URL', 'HOSPITAL_ID', 'HOSPITAL_SLUG', 'NATS_NAMESPACE'].sort(),
    );
  });

  it('requires DEID_SECRET in production, and falls back to the development key elsewhere', () => {
    expect(parseConfig(valid).deidentification).toEqual({ secret: expect.any(String), usesDevelopmentSecret: true, maxAttempts: 6 });
    const secret = 'x'.repeat(32);
    expect(parseConfig({ ...valid, NODE_ENV: 'production', DEID_SECRET: secret }).deidentification).toEqual({
      secret,
      usesDevelopmentSecret: false,
      maxAttempts: 6,
    });
    for (const env of [{ NODE_ENV: 'production' }, { DEID_SECRET: 'too short' }]) {
      let error: unknown;
      try {
        parseConfig({ ...valid, ...env });
      } catch (e) {
        error = e;
      }
      expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['DEID_SECRET']);
    }
  });
});
