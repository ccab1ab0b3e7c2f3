import { readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose.js';

// `--check` fails when the committed supergraph is stale, so a schema change cannot slip past review.
const supergraph = composeSupergraph();
if (process.argv.includes('--check')) {
  const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');
  if (committed !== supergraph) {
    console.error('gateway/supergraph.graphql is out of date: run `npm run supergraph:compose -w @triage/gateway`');
    process.exit(1);
  }
  console.log('supergraph is up to date');
} else {
  writeFileSync(SUPERGRAPH_PATH, supergraph);
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
