// Adds up every test report the run wrote (Vitest JSON, pytest JUnit XML) into the one line CI reads.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '.test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
let files = 0;
// Named again at the end, where a CI log that keeps only its tail still shows them.
const failures = [];
for (const name of readdirSync(dir)) {
  // Reports only: the browser tests keep their screenshots in a folder beside them.
  if (!/\.(json|xml)$/.test(name) || !statSync(path.join(dir, name)).isFile()) continue;
  const text = readFileSync(path.join(dir, name), 'utf8');
  files++;
  if (name.endsWith('.json')) {
    const report = JSON.parse(text);
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A test file that crashed before its tests ran counts as a failure, not as nothing.
    for (const suite of report.testResults ?? []) {
      const file = path.relative(process.cwd(), suite.name ?? '');
      if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
        failed++;
        failures.push(`${file}: ${firstLine(suite.message)}`);
      }
      for (const test of suite.assertionResults ?? []) {
        if (test.status === 'failed') failures.push(`${file} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
      }
    }
  } else if (name.endsWith('.xml')) {
    for (const m of text.matchAll(/<testsuite\b[^>]*>/g)) {
      const attr = (k) => Number((m[0].match(new RegExp(`\\b${k}="(\\d+)"`)) ?? [])[1] ?? 0);
      const total = attr('tests');
      const bad = attr('failures') + attr('errors');
      const skip = attr('skipped');
      passed += total - bad - skip;
      failed += bad;
      skipped += skip;
    }
    for (const m of text.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*>\s*<(failure|error)\b([^>]*)>/g)) {
      failures.push(`${name} > ${m[1]}: ${/\bmessage="([^"]*)"/.exec(m[3])?.[1] ?? m[2]}`);
    }
  }
}
// A suite that crashed before writing its report (a worker that died, a native module that
// failed to load) counts as a failure, never as nothing.
const expected = [];
const configs = [];
const walk = (folder, depth) => {
  for (const entry of readdirSync(folder)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(folder, entry);
    if (entry === 'vitest.config.ts') configs.push(full);
    else if (depth > 0 && statSync(full).isDirectory()) walk(full, depth - 1);
  }
};
walk('.', 2);
for (const config of configs) {
  const name = /workspaceVitestConfig\('([^']+)'/.exec(readFileSync(config, 'utf8'))?.[1];
  if (name) expected.push(`${name.replace(/[^a-z0-9-]/gi, '_')}.json`);
}
if (existsSync('research/tests')) expected.push('research-pytest.xml');
const present = new Set(readdirSync(dir));
for (const report of expected) {
  if (!present.has(report)) {
    console.log(`missing test report ${report}: that suite did not finish`);
    failed++;
  }
}
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`${files} test reports`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
function firstLine(text) {
  return String(text ?? 'no message').split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? 'no message';
}

process.exit(failed > 0 || files === 0 ? 1 : 0);
