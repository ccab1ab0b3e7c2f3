import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSubgraphSdl } from '@triage/federation';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildResearchSchema } from '../src/schema.js';

const WORKSPACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUBGRAPHS = path.resolve(WORKSPACE, '..');

describe('schema.graphql', () => {
  it('is the printed schema (run npm run schema:print after a change)', async () => {
    expect(readFileSync(path.join(WORKSPACE, 'schema.graphql'), 'utf8')).toBe(printSubgraphSdl(await buildResearchSchema()));
  });

  it('composes with the other subgraphs without clashes', () => {
    const services = ['directory', 'hospital', 'triage', 'research'].flatMap((name) => {
      const file = path.join(SUBGRAPHS, name, 'schema.graphql');
      return existsSync(file) ? [{ name, typeDefs: parse(readFileSync(file, 'utf8')), url: `http://${name}.invalid/graphql` }] : [];
    });
    expect(services.map((s) => s.name)).toContain('research');
    const result = composeServices(services);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
  });
});
