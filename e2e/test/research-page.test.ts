import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeEvent, PredictionCreatedV1 } from '@triage/contracts';
import { connectNats, type NatsConnection } from '@triage/nats';
import { eventually, freePort, SYSTEM_PYTHON, TEST_NATS_URL } from '@triage/testing';
import { sampleFiles } from '../../inference-worker/test/support/harness.js';
import { DEMO_PASSWORD } from '../../gateway/test/support/platform.js';
import { startResearch, type ResearchService } from './support/research.js';
import { screenshotPath } from './support/screenshots.js';
import { Pipeline, uploadThroughGateway } from './support/pipeline.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const CLIENT_BUILT = existsSync(path.join(REPO_ROOT, 'client/dist/index.html'));
const REVIEWS = 4;

/**
 * The running model under another version: a candidate the workers can shadow (a shadow must take
 * the same input as the active model) and whose predictions are told apart by version.
 */
async function relabelledModel(bytes: Uint8Array, version: string): Promise<Uint8Array> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'research-page-'));
  const [input, output] = [path.join(dir, 'in.onnx'), path.join(dir, 'out.onnx')];
  writeFileSync(input, bytes);
  const script = [
    'import sys, onnx',
    'm = onnx.load(sys.argv[1])',
    'for p in m.metadata_props:',
    '    p.value = sys.argv[3] if p.key == "version" else p.value',
    'onnx.save(m, sys.argv[2])',
  ].join('\n');
  await promisify(execFile)(SYSTEM_PYTHON, ['-c', script, input, output, version]);
  return new Uint8Array(readFileSync(output));
}

let mrn = 0;
const patient = () => ({
  mrn: `RESEARCH-PAGE-${Date.now()}-${++mrn}`,
  name: 'Research Page Patient',
  birthDate: '2016-07-08',
  sex: 'MALE',
});

/**
 * The research page in headless Chromium against the whole platform (gateway, hospitals, triage,
 * research, the inference worker): counts and charts after reviews, shadow then activate a
 * published model from the page, the worker's next prediction carries it; doctors cannot open it.
 * Every response of the research service is scanned for the patients created here and the seeds.
 */
describe.skipIf(!existsSync(CHROMIUM) || !CLIENT_BUILT)('research page in headless Chromium', () => {
  let pipeline: Pipeline;
  let research: ResearchService | undefined;
  let browser: Browser;
  let nc: NatsConnection;
  const predictions: PredictionCreatedV1[] = [];
  const errors: string[] = [];
  const candidateVersion = `page-candidate-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const researchPort = await freePort();
    pipeline = await Pipeline.start({ RESEARCH_URL: `http://127.0.0.1:${researchPort}/graphql` });
    const p = pipeline.platform;
    research = await startResearch(p, researchPort);
    nc = await connectNats({ url: TEST_NATS_URL, name: 'e2e-research-page' });
    const sub = nc.subscribe(p.topology.subjects.allPredictions);
    void (async () => {
      for await (const m of sub) predictions.push(decodeEvent(PredictionCreatedV1, m.data));
    })();
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
    await nc?.close();
    await research?.stop();
    await pipeline?.stop();
  });

  async function signIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
    await page.goto(pipeline.platform.gatewayUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return { context, page };
  }

  const jpeg = async (file: string) =>
    new Uint8Array(await sharp(readFileSync(file)).resize({ width: 512 }).jpeg().toBuffer());

  it(
    'shows counts and charts after reviews; shadows then activates a published model; the worker follows',
    { timeout: 600_000 },
    async () => {
      const p = pipeline.platform;
      const tech = await p.login('tech.st-marys@demo.local');
      const doctorToken = await p.login('doctor.st-marys@demo.local');
      const researcherToken = await p.login('researcher@demo.local');
      const hospitalId = p.hospital('st-marys').id;

      // Reviews: two pneumonia, two normal, each after the model scored the study.
      const pneumonia = sampleFiles().filter((f) => f.includes('PNEUMONIA'));
      const normal = sampleFiles().filter((f) => f.includes('NORMAL'));
      const files = [pneumonia[0]!, normal[0]!, pneumonia[1]!, normal[1]!].slice(0, REVIEWS);
      for (const file of files) {
        const upload = await uploadThroughGateway(p, 'st-marys', tech, await jpeg(file), patient());
        expect(upload.status).toBe(201);
        await eventually(
          async () => (predictions.some((x) => x.studyId === upload.studyId) ? true : undefined),
          60_000,
          'a prediction',
        );
        const res = await p.query(
          'mutation R($h: ID!, $s: ID!, $f: ReviewFinding!) { recordReview(hospitalId: $h, studyId: $s, finding: $f, notes: "Research Page Patient looks fine") { id } }',
          { h: hospitalId, s: upload.studyId, f: file.includes('PNEUMONIA') ? 'PNEUMONIA' : 'NORMAL' },
          doctorToken,
        );
        expect(res.errors).toBeUndefined();
      }
      await eventually(
        async () => {
          const res = await p.query('{ researchSummary { total } }', {}, researcherToken);
          return res.data?.researchSummary.total === REVIEWS ? true : undefined;
        },
        300_000,
        `${REVIEWS} indexed examples`,
      );
      const frozen = await p.query(
        'mutation { freezeDataset(name: "research page") { id version } }',
        {},
        researcherToken,
      );
      expect(frozen.errors).toBeUndefined();
      const published = await fetch(`${p.gatewayUrl}/models`, {
        method: 'POST',
        headers: { authorization: `Bearer ${researcherToken}`, 'content-type': 'application/octet-stream' },
        body: await relabelledModel(pipeline.model.bytes, candidateVersion),
      });
      expect(published.status).toBe(201);

      // The researcher lands on the research page.
      const { page } = await signIn('researcher@demo.local');
      await page.getByRole('heading', { name: 'Research', level: 1 }).waitFor();
      await expect
        .poll(() => page.getByTestId('examples-total').textContent(), { timeout: 30_000 })
        .toBe(String(REVIEWS));
      await page.getByRole('img', { name: 'Dataset growth' }).waitFor();
      await page.getByRole('img', { name: 'Label balance' }).waitFor();
      const balance = page.getByRole('row', { name: /St\. Mary's/ });
      await expect(balance.textContent()).resolves.toMatch(/^St\. Mary's2204$/);
      // Every example carries the active model's prediction (the hospital recorded it), so agreement is measured.
      const agreement = page.locator(`tr[data-agreement-version="${pipeline.model.version}"]`);
      await agreement.waitFor();
      await expect(agreement.locator('td').first().textContent()).resolves.toBe(String(REVIEWS));
      await page.getByRole('img', { name: 'AUC over time' }).waitFor();
      await page.getByRole('img', { name: 'Sensitivity over time' }).waitFor();

      // A frozen dataset downloads through the gateway.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByRole('button', {
            name: `Download dataset v${frozen.data!.freezeDataset.version} as PneumoniaMNIST .npz`,
          })
          .click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.npz$/);
      expect(
        readFileSync((await download.path())!)
          .subarray(0, 2)
          .toString('latin1'),
      ).toBe('PK');

      // Shadow the candidate, with a confirmation; the worker also scores live traffic with it.
      await page.getByRole('button', { name: `Shadow ${candidateVersion}` }).click();
      const confirm = page.getByRole('alertdialog');
      await expect(confirm.getByRole('heading').textContent()).resolves.toContain(
        `Run ${candidateVersion} in shadow?`,
      );
      // Cancelling changes nothing; Escape too.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByRole('alertdialog').count()).resolves.toBe(0);
      await page.getByRole('button', { name: `Shadow ${candidateVersion}` }).click();
      await page.keyboard.press('Escape');
      await expect(page.getByRole('alertdialog').count()).resolves.toBe(0);
      await page.getByRole('button', { name: `Shadow ${candidateVersion}` }).click();
      await page.keyboard.press('Enter'); // focus is on the confirm button
      await page
        .getByRole('status')
        .filter({ hasText: `${candidateVersion} now runs in shadow.` })
        .waitFor();
      const row = page.locator(`tr[data-model-version="${candidateVersion}"]`);
      await expect.poll(() => row.locator('.tag').textContent()).toBe('Shadow');
      const shadowed = await eventually(
        async () => {
          const upload = await uploadThroughGateway(
            p,
            'st-marys',
            tech,
            await jpeg(pneumonia[2]!),
            patient(),
          );
          const pair = await eventually(
            async () => {
              const mine = predictions.filter((x) => x.studyId === upload.studyId);
              return mine.length >= 2 ? mine : undefined;
            },
            30_000,
            'active and shadow predictions',
          ).catch(() => undefined);
          return pair?.find((x) => x.shadow && x.modelVersion === candidateVersion);
        },
        90_000,
        'a shadow prediction by the candidate',
      );
      expect(shadowed.shadow).toBe(true);

      // Activate it; the worker's next prediction carries it.
      await row.getByRole('button', { name: `Activate ${candidateVersion}` }).click();
      await page
        .getByRole('alertdialog')
        .getByRole('button', { name: `Activate ${candidateVersion}` })
        .click();
      await page
        .getByRole('status')
        .filter({ hasText: `${candidateVersion} is now the active model.` })
        .waitFor();
      await expect.poll(() => row.locator('.tag').textContent()).toBe('Active');
      await expect(page.getByRole('button', { name: `Activate ${candidateVersion}` }).count()).resolves.toBe(
        0,
      );
      const next = await eventually(
        async () => {
          const upload = await uploadThroughGateway(p, 'st-marys', tech, await jpeg(normal[2]!), patient());
          const scored = await eventually(
            async () => predictions.find((x) => x.studyId === upload.studyId && !x.shadow),
            60_000,
            'a prediction',
          );
          return scored.modelVersion === candidateVersion ? scored : undefined;
        },
        90_000,
        'a prediction by the activated model',
      );
      expect(next.modelVersion).toBe(candidateVersion);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(1_000);
      await page.screenshot({
        path: screenshotPath('research-page.png'),
        fullPage: true,
      });

      // A failed action is reported, not swallowed: rolling back twice leaves nothing to roll back to.
      await page.getByRole('button', { name: 'Roll back to the previous model' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Roll back' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Rolled back: ${pipeline.model.version} is the active model again.` })
        .waitFor();
      await page.getByRole('button', { name: 'Roll back to the previous model' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Roll back' }).click();
      await expect(
        page
          .getByRole('alert')
          .filter({ hasText: /^Not done: / })
          .textContent(),
      ).resolves.toMatch(/^Not done: \S/);
      expect(errors).toEqual([]);
    },
  );

  it('is not there for a doctor', async () => {
    const { page } = await signIn('doctor.st-marys@demo.local');
    await page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Research' }).count(),
    ).resolves.toBe(0);
    await page.goto(`${pipeline.platform.gatewayUrl}/#/research`);
    await page.getByRole('heading', { name: 'Triage worklist' }).waitFor();
    expect(page.url()).toMatch(/#\/worklist$/);
    await expect(page.getByRole('heading', { name: 'Research', level: 1 }).count()).resolves.toBe(0);
    // The research service itself refuses the doctor.
    const token = await pipeline.platform.login('doctor.st-marys@demo.local');
    const res = await pipeline.platform.query('{ researchSummary { total } }', {}, token);
    expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.errors)).toBe('FORBIDDEN');
  });

  it('answered nothing that carries a seeded or test-created patient name, MRN or birth date', () => {
    expect(research!.phi.scanned).toBeGreaterThan(10);
    expect(research!.phi.hits).toEqual([]);
  });
});
