import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSubgraphSdl } from '@triage/federation';
import { buildDirectorySchema } from './schema.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printSubgraphSdl(await buildDirectorySchema()));
console.error(`wrote ${target}`);
