import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@triage/testing';
import type { Platform } from './platform.js';

const GATEWAY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The gateway as deployed (its built entry point, `node dist/main.js`: run the build first) in a process
 * of its own, in front of a platform started with `inProcessGateway: false`; resolves once its
 * readiness says so (subscriptions live). Extra Node options come from GATEWAY_NODE_OPTIONS (e.g. --cpu-prof).
 */
export async function startGatewayProcess(platform: Platform, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.GATEWAY_NODE_OPTIONS ?? '').split(' ').filter(Boolean), 'dist/main.js'], {
    cwd: GATEWAY_ROOT,
    env: { ...process.env, ...platform.gatewayEnv, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    try {
      const ready = (await (await fetch(`${url}/readyz`)).json()) as { status: string; subscriptions: string };
      if (ready.status === 'ready' && ready.subscriptions === 'live') return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('the gateway did not become ready');
}
