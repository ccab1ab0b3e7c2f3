import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/PERFORMANCE.md');

/** Replaces (or appends) one `## <title>` section of docs/PERFORMANCE.md, leaving the others alone. */
export function writePerformanceSection(title: string, body: string): void {
  const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Performance\n\nFigures measured by the benchmark scripts on this project\'s reference machine (2 cores, 24 GiB).\n';
  const heading = `## ${title}`;
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = current.indexOf(heading);
  let next: string;
  if (start === -1) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + heading.length);
    next = `${current.slice(0, start)}${section}${after === -1 ? '' : `\n${current.slice(after + 1)}`}`;
  }
  writeFileSync(DOC, next.endsWith('\n') ? next : `${next}\n`);
}
