import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@triage/testing';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { DEMO_PASSWORD } from '../../gateway/test/support/platform.js';
import { startResearch, type ResearchService } from './support/research.js';
import { screenshotPath } from './support/screenshots.js';
import { Pipeline, uploadThroughGateway } from './support/pipeline.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const CLIENT_BUILT = existsSync(path.join(REPO_ROOT, 'client/dist/index.html'));
const GRAFANA_URL = 'http://grafana.example.test:3000';
const SERVICES = [
  'gateway',
  'directory',
  'hospital general',
  'hospital st-marys',
  'triage',
  'research',
  'worker',
];

describe.skipIf(!existsSync(CHROMIUM) || !CLIENT_BUILT)('ops page in headless Chromium', () => {
  let pipeline: Pipeline;
  let research: ResearchService | undefined;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    const [researchPort, workerPort] = [await freePort(), await freePort()];
    pipeline = await Pipeline.start(
      {
        RESEARCH_URL: `http://127.0.0.1:${researchPort}/graphql`,
        WORKER_URLS: `http://127.0.0.1:${workerPort}`,
        GRAFANA_URL,
      },
      { workerPort },
    );
    const p = pipeline.platform;
    research = await startResearch(p, researchPort);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await research?.stop();
    await pipeline?.stop();
  });

  async function signIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
    await page.goto(pipeline.platform.gatewayUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { context, page };
  }

  const tile = (page: Page, label: string) => page.locator(`[data-metric="${label}"] .ops__tile-value`);
  const cell = (page: Page, slug: string, column: number) =>
    page.locator(`tr[data-hospital="${slug}"] td`).nth(column);

  it(
    'shows an administrator every service up and the numbers moving during uploads',
    { timeout: 240_000 },
    async () => {
      // A doctor on the worklist holds a live subscription the ops page counts.
      const doctor = await signIn('doctor@demo.local');
      await doctor.page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
      await doctor.page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor({ timeout: 30_000 });

      const admin = await signIn('admin@demo.local');
      // Operations is an administrator's landing page.
      await admin.page.getByRole('heading', { name: 'Operations' }).waitFor();
      expect(admin.page.url()).toMatch(/#\/ops$/);
      await expect(
        admin.page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Operations' })
          .getAttribute('aria-current'),
      ).resolves.toBe('page');
      for (const name of SERVICES) {
        await admin.page
          .locator(`tr[data-service="${name}"] .ops__health--ready`)
          .waitFor({ timeout: 30_000 });
      }
      await expect(tile(admin.page, 'Active model').textContent()).resolves.toBe(pipeline.model.version);
      await expect(tile(admin.page, 'Dead-lettered').textContent()).resolves.toBe('0');
      await expect(tile(admin.page, 'Live subscriptions').textContent()).resolves.toBe('1');
      const before = {
        'st-marys': Number(await cell(admin.page, 'st-marys', 1).textContent()),
        general: Number(await cell(admin.page, 'general', 1).textContent()),
      };

      const p = pipeline.platform;
      const techs = {
        'st-marys': await p.login('tech.st-marys@demo.local'),
        general: await p.login('tech.general@demo.local'),
      };
      const files = sampleFiles();
      for (let i = 0; i < 6; i++) {
        const slug = i % 2 === 0 ? 'st-marys' : 'general';
        const answer = await uploadThroughGateway(
          p,
          slug,
          techs[slug],
          new Uint8Array(readFileSync(files[i]!)),
        );
        expect(answer.status).toBe(201);
      }

      // Within a few refreshes: 3 more uploads and predictions per hospital, and non-zero rates.
      for (const slug of ['st-marys', 'general'] as const) {
        await expect
          .poll(async () => Number(await cell(admin.page, slug, 0).textContent()), {
            timeout: 30_000,
            interval: 500,
          })
          .toBe(before[slug] + 3);
        await expect
          .poll(async () => Number(await cell(admin.page, slug, 1).textContent()), {
            timeout: 60_000,
            interval: 500,
          })
          .toBe(before[slug] + 3);
      }
      await expect
        .poll(async () => Number(await tile(admin.page, 'Uploads / min').textContent()), {
          timeout: 20_000,
          interval: 500,
        })
        .toBeGreaterThan(0);
      await expect
        .poll(async () => Number(await tile(admin.page, 'Predictions / min').textContent()), {
          timeout: 20_000,
          interval: 500,
        })
        .toBeGreaterThan(0);
      await expect
        .poll(async () => await tile(admin.page, 'End-to-end p95').textContent(), {
          timeout: 20_000,
          interval: 500,
        })
        .toMatch(/^\d+(\.\d+)? s$/);
      await expect(tile(admin.page, 'Worker lag').textContent()).resolves.toMatch(/^\d+$/);
      const link = admin.page.getByRole('link', { name: 'Pipeline' });
      await expect(link.getAttribute('href')).resolves.toBe(`${GRAFANA_URL}/d/triage-pipeline`);
      await admin.page.screenshot({
        path: screenshotPath('ops-page.png'),
        fullPage: true,
      });
      await admin.context.close();
      await doctor.context.close();
      expect(errors).toEqual([]);
    },
  );

  it('neither shows nor serves the ops page to a doctor', { timeout: 60_000 }, async () => {
    const doctor = await signIn('doctor@demo.local');
    await doctor.page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
    await expect(doctor.page.getByRole('link', { name: 'Operations' }).count()).resolves.toBe(0);
    // Typed into the address bar: the doctor lands back on the worklist.
    await doctor.page.goto(`${pipeline.platform.gatewayUrl}/#/ops`);
    await doctor.page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
    await expect(doctor.page.getByRole('heading', { name: 'Operations' }).count()).resolves.toBe(0);
    // And the endpoint refuses the doctor's own token.
    const status = await doctor.page.evaluate(async () => {
      // Runs in the page: the browser's sessionStorage, not a Node global.
      const { sessionStorage } = globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } & Record<string, unknown> };
      const session = JSON.parse(
        sessionStorage.getItem(
          Object.keys(sessionStorage).find((k) => sessionStorage.getItem(k)?.includes('"token"'))!,
        )!,
      ) as { token: string };
      return (await fetch('/ops/status', { headers: { authorization: `Bearer ${session.token}` } })).status;
    });
    expect(status).toBe(403);
    await doctor.context.close();
    expect(errors).toEqual([]);
  });
});
