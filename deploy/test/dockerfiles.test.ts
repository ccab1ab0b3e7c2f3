import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readText, REPO_ROOT } from './support.js';

const deployables = [
  { dir: 'gateway', workspace: '@triage/gateway', port: 4000 },
  { dir: 'subgraphs/directory', workspace: '@triage/subgraph-directory', port: 4001 },
  { dir: 'subgraphs/triage', workspace: '@triage/subgraph-triage', port: 4002 },
  { dir: 'subgraphs/research', workspace: '@triage/subgraph-research', port: 4003 },
  { dir: 'subgraphs/hospital', workspace: '@triage/subgraph-hospital', port: 4101 },
  { dir: 'inference-worker', workspace: '@triage/inference-worker', port: 4200 },
  { dir: 'client', workspace: '@triage/client', port: 8080 },
];

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** Splits a Dockerfile into its stages (continuation lines joined, comments dropped). */
function stages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: Stage[] = [];
  const args = new Map<string, string>();
  for (const line of lines) {
    const arg = /^ARG\s+([A-Z_]+)=(\S+)/.exec(line);
    if (arg && result.length === 0) args.set(arg[1]!, arg[2]!);
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ from: from[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? ''), name: from[2], lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

describe.each(deployables)('$dir/Dockerfile', ({ dir, workspace, port }) => {
  const file = path.join(dir, 'Dockerfile');
  const text = existsSync(path.join(REPO_ROOT, file)) ? readText(file) : '';
  const all = stages(text);
  const final = all.at(-1);

  it('exists and names its workspace in package.json', () => {
    expect(text).not.toBe('');
    expect(JSON.parse(readText(path.join(dir, 'package.json'))).name).toBe(workspace);
  });

  it('is multi-stage and prunes the monorepo to its workspace with turbo prune --docker', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(new RegExp(`turbo prune ${workspace} --docker`));
    expect(text).toMatch(/npm ci\b/);
    expect(text).toMatch(new RegExp(`turbo run build --filter=${workspace}`));
    // The final stage copies build output from an earlier stage rather than building in place.
    expect(final!.lines.some((l) => /^COPY --from=/.test(l))).toBe(true);
    expect(final!.lines.some((l) => /^RUN npm (ci|install)/.test(l))).toBe(false);
  });

  it('runs as a non-root user in the final stage', () => {
    const users = final!.lines.filter((l) => /^USER\s/i.test(l));
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(/\s+/)[1]!.split(':')[0]!;
    // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    expect(user).toMatch(/^\d+$/);
    expect(Number(user)).toBeGreaterThan(0);
  });

  it('has a HEALTHCHECK and exposes its port', () => {
    expect(final!.lines.some((l) => /^HEALTHCHECK\s.*CMD/.test(l))).toBe(true);
    expect(final!.lines).toContain(`EXPOSE ${port}`);
  });

  it('keeps dev dependencies and build tools out of the runtime image', () => {
    if (dir === 'client') {
      expect(final!.from).toMatch(/nginx/);
      return;
    }
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(final!.lines).toContain('CMD ["node", "dist/main.js"]');
    expect(final!.lines.some((l) => /^ENV .*HOST=0\.0\.0\.0/.test(l))).toBe(true);
  });
});

describe('build context', () => {
  it('.dockerignore keeps node_modules, build output, secrets and git out of the context', () => {
    const ignore = readText('.dockerignore').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git', '**/.env', '.data']) expect(ignore).toContain(pattern);
  });

  it('the worker image carries the committed model and only this platform\'s onnxruntime binaries', () => {
    const text = readText('inference-worker/Dockerfile');
    expect(text).toContain('COPY research/models/active.json research/models/*.onnx ./research/models/');
    expect(text).toMatch(/onnxruntime-node/);
    expect(readText('.npmrc')).toContain('onnxruntime-node-install=skip');
  });
});
