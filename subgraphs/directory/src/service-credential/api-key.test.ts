import { describe, expect, it } from 'vitest';
import { apiKeyMatches, apiKeyPrefix, generateApiKey } from './api-key.js';

describe('API keys', () => {
  it('are random, carry their lookup prefix and match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(apiKeyPrefix(a.apiKey)).toBe(a.prefix);
    expect(a.hash).not.toContain(a.apiKey);
    expect(apiKeyMatches(a.apiKey, a.hash)).toBe(true);
    expect(apiKeyMatches(b.apiKey, a.hash)).toBe(false);
  });

  it('has no prefix when malformed', () => {
    expect(apiKeyPrefix('')).toBeNull();
    expect(apiKeyPrefix('tri_short_secret')).toBeNull();
    expect(apiKeyPrefix(`Bearer ${generateApiKey().apiKey}`)).toBeNull();
  });
});
