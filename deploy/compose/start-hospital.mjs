// docker compose only: the hospital subgraph needs its directory id (HOSPITAL_ID), which the
// `seed` service learns when it creates the hospital and writes to /seed/seed.json. This sets it
// for HOSPITAL_SLUG and starts the subgraph in the same process (signals reach it unchanged).
// On Kubernetes the id is part of the hospital's overlay (deploy/k8s/hospitals/<slug>).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const seedFile = process.env.SEED_FILE ?? '/seed/seed.json';
const slug = process.env.HOSPITAL_SLUG;
const seed = JSON.parse(readFileSync(seedFile, 'utf8'));
const hospital = seed.hospitals?.find((h) => h.slug === slug);
if (!hospital) {
  console.error(`hospital "${slug}" is not in ${seedFile}; is it in SEED_HOSPITALS of the seed service?`);
  process.exit(1);
}
process.env.HOSPITAL_ID = hospital.id;
await import(pathToFileURL(path.resolve('dist/main.js')).href);
