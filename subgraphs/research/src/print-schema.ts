import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSubgraphSdl } from '@triage/federation';
import { buildResearchSchema } from './schema.js';

/** Writes the SDL this subgraph contributes to the supergraph (committed, composed by the gateway). */
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printSubgraphSdl(await buildResearchSchema()));
console.log(`wrote ${target}`);
