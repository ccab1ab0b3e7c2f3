import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Where a browser test saves its screenshot `name`: the documentation's copy (docs/screenshots)
 * only when UPDATE_SCREENSHOTS=1, so an ordinary test run never rewrites committed files; otherwise
 * .test-results/screenshots, to look at after a run.
 */
export function screenshotPath(name: string): string {
  const dir =
    process.env.UPDATE_SCREENSHOTS === '1'
      ? path.join(REPO_ROOT, 'docs/screenshots')
      : path.join(REPO_ROOT, '.test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
