import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export const GATEWAY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = path.resolve(GATEWAY_ROOT, '..');
export const SUPERGRAPH_PATH = path.join(GATEWAY_ROOT, 'supergraph.graphql');

/** The subgraphs of the supergraph, in composition order. `research` joins once it has a schema. */
export const SUBGRAPH_NAMES = ['directory', 'hospital', 'triage', 'research'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/**
 * Placeholder routing URLs recorded in the supergraph. Real URLs come from configuration
 * (and for `hospital`, from the directory per hospital), never from the composed file.
 */
export const placeholderUrl = (name: string) => `http://${name}.subgraph.invalid/graphql`;

export function readSubgraphSdls(root = REPO_ROOT): { name: SubgraphName; sdl: string }[] {
  return SUBGRAPH_NAMES.flatMap((name) => {
    const file = path.join(root, 'subgraphs', name, 'schema.graphql');
    return existsSync(file) ? [{ name, sdl: readFileSync(file, 'utf8') }] : [];
  });
}

/** Composes the supergraph with @apollo/composition from the committed subgraph SDL files. */
export function composeSupergraph(subgraphs = readSubgraphSdls()): string {
  const result = composeServices(
    subgraphs.map(({ name, sdl }) => ({ name, typeDefs: parse(sdl), url: placeholderUrl(name) })),
  );
  if (result.errors?.length) {
    throw new Error(`Supergraph composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return `${(result.supergraphSdl ?? "").trim()}\n`;
}
