import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../scripts/generated.js';
import { catalog, metricNames, REPO_ROOT, ruleFiles } from './support.js';

const entries = catalog();

describe('metrics catalog', () => {
  it('names each metric once, with a known type and status', () => {
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
    for (const e of entries) {
      expect(['counter', 'gauge', 'histogram', 'summary'], e.name).toContain(e.type);
      expect(['exported', 'proposed', 'external'], e.name).toContain(e.status);
      expect(e.name, 'counters end in _total').toMatch(
        e.type === 'counter' ? /_total$/ : /^[a-z_:][a-z0-9_:]*$/,
      );
    }
  });

  it('lists as exported only metrics whose name is registered in the source file it cites', () => {
    for (const e of entries.filter((m) => m.status === 'exported')) {
      const file = path.join(REPO_ROOT, e.source ?? '');
      expect(existsSync(file), `${e.name}: ${e.source} does not exist`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${e.name} is not in ${e.source}`).toMatch(
        new RegExp(`['"\`]${e.name}['"\`]`),
      );
    }
  });

  it('lists every metric a service of the platform registers', () => {
    const registered = new Map<string, string>();
    const roots = [
      'gateway/src',
      'inference-worker/src',
      'tools',
      ...['packages', 'subgraphs'].flatMap((d) =>
        readdirSync(path.join(REPO_ROOT, d)).map((w) => `${d}/${w}/src`),
      ),
    ];
    for (const root of roots.filter((r) => existsSync(path.join(REPO_ROOT, r)))) {
      for (const file of readdirSync(path.join(REPO_ROOT, root), { recursive: true }).map(String)) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.includes('node_modules')) continue;
        const text = readFileSync(path.join(REPO_ROOT, root, file), 'utf8');
        for (const m of text.matchAll(
          /new (?:Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\s*\{\s*name:\s*['"`]([a-z_:][a-z0-9_:]*)['"`]/g,
        )) {
          registered.set(m[1]!, `${root}/${file}`);
        }
      }
    }
    expect(registered.size).toBeGreaterThan(30);
    const listed = new Set(entries.map((e) => e.name));
    for (const [name, file] of registered)
      expect(listed.has(name), `${name} (${file}) is not in deploy/metrics-catalog.json`).toBe(true);
  });

  it('is described in docs/OPERATIONS.md: every metric a service of the platform exports', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/OPERATIONS.md'), 'utf8');
    for (const e of entries.filter(
      (m) => m.status === 'exported' && !m.source?.startsWith('node_modules/'),
    )) {
      expect(doc, `${e.name} is not in docs/OPERATIONS.md`).toContain(`\`${e.name}\``);
    }
  });

  it('proposes only metrics a dashboard or rule uses, each with the workspace that should export it', () => {
    const used = new Set<string>();
    const exprs = [
      ...Object.values(ruleFiles()).flatMap((f) => f.groups.flatMap((g) => g.rules.map((r) => r.expr))),
      ...Object.entries(generatedFiles())
        .filter(([f]) => f.endsWith('.json'))
        .flatMap(([, json]) =>
          (JSON.parse(json) as { panels: { targets?: { expr: string }[] }[] }).panels.flatMap((p) =>
            (p.targets ?? []).map((t) => t.expr),
          ),
        ),
    ];
    for (const expr of exprs)
      for (const name of metricNames(expr)) used.add(name.replace(/_(bucket|sum|count)$/, ''));
    for (const e of entries.filter((m) => m.status === 'proposed')) {
      expect(used.has(e.name), `${e.name} is proposed but nothing uses it`).toBe(true);
      expect(e.owner, e.name).toMatch(/^(gateway|inference-worker|subgraphs\/[a-z]+|packages\/[a-z-]+)$/);
    }
  });
});
