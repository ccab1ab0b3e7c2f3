import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tamperToken, unsignedToken } from '@triage/testing';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import type { OpsStatus } from '../src/ops/ops-status.js';
import { Platform } from './support/platform.js';

const GRAFANA_URL = 'https://grafana.example.org/';
const CANARY = {
  mrn: 'OPS-CANARY-MRN-7731',
  name: 'Zebulon Opscanary',
  birthDate: '1961-07-14',
  sex: 'MALE',
};

describe('GET /ops/status', () => {
  let platform: Platform;
  let admin: string;

  beforeAll(async () => {
    // Nothing listens on these ports: research and the worker are down in this platform.
    const [researchPort, workerPort] = [await freePort(), await freePort()];
    platform = await Platform.start(undefined, {
      gatewayEnv: {
        RESEARCH_URL: `http://127.0.0.1:${researchPort}/graphql`,
        WORKER_URLS: `http://127.0.0.1:${workerPort}`,
        GRAFANA_URL,
        OPS_SCRAPE_TIMEOUT_MS: '1000',
      },
    });
    admin = await platform.login('admin@demo.local');
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  });

  const status = (token?: string) =>
    fetch(`${platform.gatewayUrl}/ops/status`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers 401 without a valid token and 403 to anyone but an administrator', async () => {
    expect((await status()).status).toBe(401);
    expect((await status('not-a-jwt')).status).toBe(401);
    // A doctor's real token with an admin role written in, and an unsigned one claiming it.
    const doctor = await platform.login('doctor@demo.local');
    expect((await status(tamperToken(doctor, { roles: ['admin'] }))).status).toBe(401);
    const claims = JSON.parse(Buffer.from(doctor.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect((await status(unsignedToken({ ...claims, roles: ['admin'] }))).status).toBe(401);
    for (const email of ['doctor@demo.local', 'researcher@demo.local', 'tech.general@demo.local']) {
      const res = await status(await platform.login(email));
      expect(res.status, email).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'FORBIDDEN' });
    }
    expect((await status(await platform.integrationToken('st-marys'))).status).toBe(403);
    expect((await status(admin)).status).toBe(200);
  });

  it(
    "reports every service's readiness and uptime, the per-hospital counts and rates, and no patient data",
    { timeout: 60_000 },
    async () => {
      const first = (await (await status(admin)).json()) as OpsStatus;
      expect(first.grafanaUrl).toBe(GRAFANA_URL);
      const byName = Object.fromEntries(first.services.map((s) => [s.name, s]));
      expect(Object.keys(byName).sort()).toEqual([
        'directory',
        'gateway',
        'hospital general',
        'hospital st-marys',
        'research',
        'triage',
        'worker',
      ]);
      for (const name of ['gateway', 'directory', 'hospital general', 'hospital st-marys', 'triage']) {
        expect(byName[name], name).toMatchObject({ up: true, ready: true, failing: [] });
        expect(byName[name]!.uptimeSeconds, name).toBeGreaterThanOrEqual(0);
        expect(byName[name]!.nodeVersion, name).toBe(process.version);
      }
      for (const name of ['research', 'worker'])
        expect(byName[name], name).toMatchObject({ up: false, ready: false, uptimeSeconds: null });
      expect(first.numbers).toMatchObject({
        workerLag: null,
        deadLetters: null,
        activeModelVersion: null,
        activeSubscriptions: 0,
      });
      expect(first.hospitals.map((h) => h.slug).sort()).toEqual(['general', 'st-marys']);

      // One upload at St. Mary's: its count and the upload rate move on the next poll.
      const tech = await platform.login('tech.st-marys@demo.local');
      const upload = await platform.query(
        'mutation U($h: ID!, $input: CreateStudyUploadInput!) { createStudyUpload(hospitalId: $h, input: $input) { uploadUrl } }',
        { h: platform.hospital('st-marys').id, input: { patient: CANARY } },
        tech,
      );
      const put = await fetch(
        `${platform.gatewayUrl}${new URL(upload.data!.createStudyUpload.uploadUrl as string).pathname}`,
        {
          method: 'PUT',
          body: new Uint8Array(readFileSync(sampleFiles()[0]!)),
        },
      );
      expect(put.status).toBe(201);
      await new Promise((r) => setTimeout(r, 1_100)); // past the shared-answer cache
      const res = await status(admin);
      const text = await res.text();
      const second = JSON.parse(text) as OpsStatus;
      const count = (s: OpsStatus, slug: string) => s.hospitals.find((h) => h.slug === slug)!.uploaded;
      expect(count(second, 'st-marys') - count(first, 'st-marys')).toBe(1);
      expect(count(second, 'general') - count(first, 'general')).toBe(0);
      expect(second.windowSeconds).toBeGreaterThanOrEqual(1);
      expect(second.numbers.uploadsPerMinute).toBeGreaterThan(0);
      expect(second.numbers.predictionsPerMinute).toBe(0);
      expect(res.headers.get('cache-control')).toBe('no-store');
      for (const phi of [CANARY.mrn, CANARY.name, CANARY.birthDate, 'Opscanary'])
        expect(text).not.toContain(phi);
    },
  );
});
