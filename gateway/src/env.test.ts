import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './env.js';

const example = Object.fromEntries(
  readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('gateway configuration', () => {
  it('accepts .env.example as it is', () => {
    const config = parseGatewayConfig(example);
    expect(config.subscriptions).toEqual({ bufferLimit: 1000, perConnection: 100, fetchConcurrency: 16 });
    expect(config.limits.maxDepth).toBe(12);
  });

  it('refuses a subscription buffer limit of zero', () => {
    expect(() => parseGatewayConfig({ ...example, SUBSCRIPTION_BUFFER_LIMIT: '0' })).toThrow(
      /SUBSCRIPTION_BUFFER_LIMIT/,
    );
  });
});
