import { describe, expect, it } from 'vitest';
import { ConfigError, envFields, parseEnv, z } from './index.js';

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
