import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSubgraphSdl } from '@triage/federation';
import { buildHospitalSchema } from './schema.js';

/** Writes the subgraph SDL the gateway composes the supergraph from (committed, reviewed). */
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printSubgraphSdl(await buildHospitalSchema()));
console.log(`wrote ${target}`);
