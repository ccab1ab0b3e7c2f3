import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { mountResponseTap, type TappedResponse } from './response-tap.js';

describe('mountResponseTap', () => {
  it('sees JSON answers and streamed downloads byte for byte', async () => {
    const seen: TappedResponse[] = [];
    const app = express();
    mountResponseTap(app, (response) => seen.push(response));
    const download = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    app.get('/json', (_req, res) => void res.json({ hello: 'wörld' }));
    app.get('/stream', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      await pipeline(Readable.from([download.subarray(0, 40_000), download.subarray(40_000)]), res);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/json?x=1`)).json()).toEqual({ hello: 'wörld' });
      expect(Buffer.from(await (await fetch(`${base}/stream`)).arrayBuffer()).equals(download)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen.map((r) => [r.method, r.path, r.status])).toEqual([
        ['GET', '/json', 200],
        ['GET', '/stream', 200],
      ]);
      expect(JSON.parse(seen[0]!.body.toString('utf8'))).toEqual({ hello: 'wörld' });
      expect(seen[1]!.body.equals(download)).toBe(true);
    } finally {
      server.close();
    }
  });
});
