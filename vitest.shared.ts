import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig, type UserConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * Vitest settings every workspace shares: workspace packages resolve to their TypeScript sources
 * (no build needed to test), and in CI each run also writes a JSON report that .ci/run totals.
 */
export function workspaceVitestConfig(name: string, overrides: UserConfig['test'] = {}): UserConfig {
  const reportFile = path.join(root, '.test-results', `${name.replace(/[^a-z0-9-]/gi, '_')}.json`);
  return defineConfig({
    resolve: {
      alias: [
        { find: /^@triage\/subgraph-([a-z-]+)$/, replacement: path.join(root, 'subgraphs/$1/src/index.ts') },
        { find: /^@triage\/(gateway|inference-worker)$/, replacement: path.join(root, '$1/src/index.ts') },
        { find: /^@triage\/([a-z-]+)$/, replacement: path.join(root, 'packages/$1/src/index.ts') },
        // One graphql instance: Vite would pick the ESM build for our sources while CommonJS
        // dependencies (Apollo) require the CJS build, and graphql refuses to mix the two.
        { find: /^graphql$/, replacement: path.join(root, 'node_modules/graphql/index.js') },
      ],
    },
    test: {
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: process.env.CI ? ['default', 'json'] : ['default'],
      outputFile: process.env.CI ? { json: reportFile } : undefined,
      ...overrides,
    },
  });
}
