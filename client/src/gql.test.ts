import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * src/gql is committed so the build needs no running gateway; this fails when it is stale
 * (`npm run codegen` not run after changing an operation or the schema) or when an operation
 * no longer validates against the supergraph plus the pending extensions.
 */
describe('generated GraphQL types', () => {
  it('match the schema and the operations in src', async () => {
    const outputs = (await generate({ ...config, cwd: clientDir, silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const committed = readFileSync(path.resolve(clientDir, output.filename), 'utf8');
      expect(committed, `${output.filename} is stale: run npm run codegen -w @triage/client`).toBe(output.content);
    }
  }, 60_000);
});
