import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { natsTopology } from '@triage/contracts';
import { connectNats, destroyNamespace } from '@triage/nats';
import { createTestDatabase, dropTestDatabase, TEST_NATS_URL, uniqueName } from '@triage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { PREDICTIONS_CONSUMER, STUDIES_CONSUMER } from '../src/events/triage-consumers.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');

/** Runs the CLI as an init container would: its own process, settings from the environment. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('triage CLI (migrate, consumers)', () => {
  const database = uniqueName('triagecli');
  const namespace = uniqueName('clins');
  afterAll(async () => {
    await dropTestDatabase(database).catch(() => undefined);
    const nc = await connectNats({ url: TEST_NATS_URL, name: 'triage-cli-test' });
    await destroyNamespace(nc, natsTopology(namespace));
    await nc.close();
  });

  it('migrates a new database, then finds it up to date', { timeout: 60_000 }, async () => {
    const env = { DATABASE_URL: await createTestDatabase(database) };
    const first = await cli(['migrate'], env);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('applied migrations');
    const again = await cli(['migrate'], env);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('database is up to date');
  });

  it('creates the streams and both durable consumers', { timeout: 60_000 }, async () => {
    const run = await cli(['consumers'], { NATS_URL: TEST_NATS_URL, NATS_NAMESPACE: namespace });
    expect(run.code, run.out).toBe(0);
    const nc = await connectNats({ url: TEST_NATS_URL, name: 'triage-cli-test' });
    try {
      const jsm = await jetstreamManager(nc);
      const topology = natsTopology(namespace);
      const durables = await Promise.all(
        [STUDIES_CONSUMER, PREDICTIONS_CONSUMER].map(async (name) => {
          for (const stream of Object.values(topology.streams)) {
            const info = await jsm.consumers.info(stream, name).catch(() => undefined);
            if (info) return info.name;
          }
          return undefined;
        }),
      );
      expect(durables).toEqual([STUDIES_CONSUMER, PREDICTIONS_CONSUMER]);
    } finally {
      await nc.close();
    }
  });

  it('prints its usage without a command, and fails on an unknown one', { timeout: 60_000 }, async () => {
    const help = await cli([], {});
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/usage: cli <command>[\s\S]*migrate[\s\S]*consumers/);
    expect((await cli(['frobnicate'], {})).code).toBe(1);
  });
});
