import { describe, expect, it } from 'vitest';
import { ConfigError, envFields, parseEnv, telemetryEnvShape, telemetryFromEnv, z } from './index.js';

describe('parseEnv', () => {
  const schema = z.object({ PORT: envFields.port(4000), DATABASE_URL: envFields.url(), FLAG: envFields.boolean(false) });

  it('applies defaults and coerces values', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgres://x@h/db', FLAG: 'yes' })).toEqual({
      PORT: 4000,
      DATABASE_URL: 'postgres://x@h/db',
      FLAG: true,
    });
  });

  it('reports every problem at once', () => {
    try {
      parseEnv(schema, { PORT: 'abc', FLAG: 'maybe' });
      expect.fail('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('DATABASE_URL');
      expect(problems).toContain('FLAG');
    }
  });
});

describe('telemetryFromEnv', () => {
  const schema = z.object(telemetryEnvShape);

  it('exports nowhere by default, also when compose passes empty values', () => {
    expect(telemetryFromEnv(parseEnv(schema, {})).tracesEndpoint).toBeUndefined();
    expect(telemetryFromEnv(parseEnv(schema, { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).tracesEndpoint).toBeUndefined();
  });

  it('derives the traces URL from the base endpoint; the signal-specific one wins', () => {
    expect(telemetryFromEnv(parseEnv(schema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/' })).tracesEndpoint).toBe(
      'http://otel:4318/v1/traces',
    );
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' };
    expect(telemetryFromEnv(parseEnv(schema, both)).tracesEndpoint).toBe('http://tempo:4318/v1/traces');
  });

  it('parses exporter headers and refuses a malformed endpoint', () => {
    const env = parseEnv(schema, { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%3Db, tenant=t1' });
    expect(telemetryFromEnv(env).exporterHeaders).toEqual({ 'x-api-key': 'a=b', tenant: 't1' });
    expect(() => parseEnv(schema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(ConfigError);
  });
});
