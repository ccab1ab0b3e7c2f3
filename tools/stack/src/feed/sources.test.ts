import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNpz, folderSource, patientFromFileName } from './sources.js';
import { REPO_ROOT } from '../env.js';

describe('feed sources', () => {
  it('reads fake patient details from the sample file name pattern', () => {
    expect(patientFromFileName('/x/NORMAL/demo_Jo Mcintyre_9829_1945-04-03_2015-06-14.jpeg')).toEqual({
      patient: { mrn: 'FEED-9829', name: 'Jo Mcintyre', birthDate: '1945-04-03', sex: 'UNKNOWN' },
      acquiredAt: '2015-06-14T09:00:00.000Z',
    });
    expect(patientFromFileName('/x/scan.jpeg')).toBeUndefined();
  });

  const samples = path.resolve(REPO_ROOT, '../shared/data/xray-samples');
  it.skipIf(!existsSync(samples))('labels the sample images from their folders and keeps names out of progress lines', () => {
    const images = folderSource(samples);
    expect(images).toHaveLength(24);
    expect(images.filter((i) => i.label === 'pneumonia')).toHaveLength(12);
    expect(images.every((i) => !i.source.includes(i.patient.name))).toBe(true);
  });
});

describe('ensureNpz', () => {
  const content = Buffer.from('pretend npz bytes');
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.setHeader('content-length', content.length);
      res.end(content);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pneumoniamnist.npz`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads once and keeps the file when the MD5 matches', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'npz-')), 'p.npz');
    const md5 = createHash('md5').update(content).digest('hex');
    expect(await ensureNpz(file, url, md5)).toBe(file);
    expect(existsSync(file)).toBe(true);
  });

  it('refuses a download whose MD5 differs', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'npz-')), 'p.npz');
    await expect(ensureNpz(file, url, '0'.repeat(32))).rejects.toThrow(/MD5/);
    expect(existsSync(file)).toBe(false);
  });
});
