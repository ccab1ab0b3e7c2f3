import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { DEMO_PASSWORD } from '../../gateway/test/support/platform.js';
import { screenshotPath } from './support/screenshots.js';
import { Pipeline } from './support/pipeline.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const CLIENT_BUILT = existsSync(path.join(REPO_ROOT, 'client/dist/index.html'));

describe.skipIf(!existsSync(CHROMIUM) || !CLIENT_BUILT)('web app in headless Chromium', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    pipeline = await Pipeline.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  async function signIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
    await page.goto(pipeline.platform.gatewayUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { context, page };
  }

  it('a technician uploads, a doctor sees it scored live, opens it, records a finding and it leaves the list', { timeout: 180_000 }, async () => {
    const doctor = await signIn('doctor@demo.local');
    await doctor.page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
    await doctor.page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor({ timeout: 30_000 });

    const tech = await signIn('tech.st-marys@demo.local');
    await tech.page.getByRole('heading', { name: 'Upload chest X-rays' }).waitFor();
    await tech.page.getByRole('button', { name: /Register a new patient/ }).click().catch(() => undefined);
    await tech.page.getByLabel('Medical record number (MRN)').fill(`BROWSER-${Date.now()}`);
    await tech.page.getByLabel('Full name').fill('Browser Test Patient');
    await tech.page.getByLabel('Birth date').fill('2016-05-06');
    await tech.page.getByLabel('Sex').selectOption({ index: 1 });
    await tech.page.getByRole('button', { name: 'Register patient' }).click();
    await tech.page.getByText(/Selected:/).waitFor();
    const file = path.join(mkdirSync(path.join(os.tmpdir(), `e2e-${Date.now()}`), { recursive: true })!, 'chest.jpeg');
    writeFileSync(file, readFileSync(sampleFiles().find((f) => f.includes('PNEUMONIA'))!));
    await tech.page.locator('input[type=file]').setInputFiles(file);
    await tech.page.getByRole('button', { name: /^Upload 1 file/ }).click();
    await tech.page.getByText(/Stored as study/).waitFor({ timeout: 30_000 });

    // The doctor's worklist shows it with its risk, without a reload.
    const row = doctor.page.getByRole('row').filter({ hasText: 'Browser Test Patient' });
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toMatch(/\d+\s?%/);
    await doctor.page.waitForTimeout(1_500); // let the arrival animation finish
    await doctor.page.screenshot({ path: screenshotPath('worklist.png') });

    await row.getByRole('link', { name: 'Browser Test Patient' }).click();
    await doctor.page.getByRole('heading', { name: 'Model assessment' }).waitFor();
    await doctor.page.getByRole('heading', { name: 'Patient and study' }).waitFor();
    await doctor.page.waitForTimeout(1_000); // let the image draw
    await doctor.page.screenshot({ path: screenshotPath('study.png') });

    await doctor.page.locator('input[type=radio][value=PNEUMONIA]').check();
    await doctor.page.getByLabel('Notes (optional)').fill('Right lower lobe consolidation.');
    await doctor.page.getByRole('button', { name: 'Record finding' }).click();
    await doctor.page.getByText('Finding recorded: Pneumonia.').waitFor({ timeout: 15_000 });

    // Back on the worklist, waiting studies only: the reviewed one is gone for everyone.
    const watcher = await signIn('doctor.st-marys@demo.local');
    await watcher.page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
    await expect
      .poll(async () => watcher.page.getByRole('row').filter({ hasText: 'Browser Test Patient' }).filter({ hasText: /Waiting/ }).count(), { timeout: 30_000 })
      .toBe(0);
    expect(errors).toEqual([]);
  });
});
