import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIFECYCLE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lifecycle.ts');

/** A service process: its start and stop print what happened; `mode` picks how they behave. */
function serviceScript(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lifecycle-')), 'service.mts');
  writeFileSync(
    file,
    `import { runUntilSignalled } from ${JSON.stringify(LIFECYCLE)};
const mode = process.argv[2];
const say = (msg: string) => console.log(msg);
const log = { info: (_: object, m: string) => say('log: ' + m), warn: (_: object, m: string) => say('log: ' + m), error: (_: object, m: string) => say('log: ' + m), fatal: (_: object, m: string) => say('log: ' + m) };
await runUntilSignalled({
  async start() {
    if (mode === 'fail-start') throw new Error('port taken');
    setInterval(() => undefined, 1_000); // a server keeps the process alive
    say('started');
  },
  async stop() {
    say('stopping');
    if (mode === 'hang-stop') await new Promise(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, mode === 'slow-stop' ? 800 : 100));
    say('stopped');
  },
}, log, { graceMs: Number(process.argv[3]), repeatWithinMs: Number(process.argv[4]) });
`,
  );
  return file;
}

async function run(
  mode: string,
  signals: NodeJS.Signals[] = [],
  { graceMs = 500, repeatWithinMs = 300, gapMs = 600 } = {},
): Promise<{ code: number | null; lines: string[] }> {
  const args = [serviceScript(), mode, String(graceMs), String(repeatWithinMs)];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    if (parts.includes('started')) onStarted();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (signals.length) {
    await Promise.race([started, exited]);
    for (const [i, signal] of signals.entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      child.kill(signal);
    }
  }
  return { code: await exited, lines };
}

describe('runUntilSignalled', () => {
  it('drains the service on SIGTERM and exits 0', { timeout: 20_000 }, async () => {
    const { code, lines } = await run('ok', ['SIGTERM']);
    expect(lines).toEqual(['started', 'log: draining before exit', 'stopping', 'stopped']);
    expect(code).toBe(0);
  });

  it('exits 1 after stopping what started when start fails', { timeout: 20_000 }, async () => {
    const { code, lines } = await run('fail-start');
    expect(lines).toEqual(['log: failed to start', 'stopping', 'stopped']);
    expect(code).toBe(1);
  });

  it('exits 1 when stopping outlasts the grace period', { timeout: 20_000 }, async () => {
    const { code, lines } = await run('hang-stop', ['SIGINT']);
    expect(lines).toEqual([
      'started',
      'log: draining before exit',
      'stopping',
      'log: graceful stop timed out',
    ]);
    expect(code).toBe(1);
  });

  it('exits at once on a second signal', { timeout: 20_000 }, async () => {
    const { code, lines } = await run('hang-stop', ['SIGTERM', 'SIGTERM'], { graceMs: 5_000, gapMs: 1_500 });
    expect(lines.at(-1)).toBe('log: second signal: exiting without draining');
    expect(code).toBe(1);
  });

  it(
    'keeps draining when one request arrives twice (Ctrl+C to the group, then the supervisor)',
    { timeout: 20_000 },
    async () => {
      const { code, lines } = await run('slow-stop', ['SIGINT', 'SIGTERM'], {
        graceMs: 5_000,
        repeatWithinMs: 2_000,
        gapMs: 200,
      });
      expect(lines).toEqual([
        'started',
        'log: draining before exit',
        'stopping',
        'log: already draining',
        'stopped',
      ]);
      expect(code).toBe(0);
    },
  );
});
