/**
 * A screenshot of one explorer page over a served folder, for the README: `galmorph serve DIR` on a free loopback
 * port (from the sources; the page's bundle built into a temporary folder by scripts/buildBrowser.mjs), Debian's
 * headless Chromium driven by playwright-core (as test/browser/explorer.test.ts), the page opened at HASH, waited for
 * until it is ready and its pictures are loaded, and the window (1200 × 900) saved as PNG. Requests that leave the
 * loopback server are aborted and make the script fail.
 *
 *   npx tsx scripts/explorerScreenshot.ts runs/explorer-gz1 '#/label-next?run=predict-gz2-mixed&exclude_voted=true' docs/img/explorer-label-next-exclude.png
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../src/web/serve.js';

const [dir, hash, out] = process.argv.slice(2);
if (dir === undefined || hash === undefined || out === undefined || !hash.startsWith('#/')) {
  console.error('usage: npx tsx scripts/explorerScreenshot.ts DIR \'#/page?query\' OUT.png');
  process.exit(2);
}
const bundle = mkdtempSync(join(tmpdir(), 'explorer-bundle-'));
const foreign: string[] = [];
try {
  const built = spawnSync(process.execPath, ['scripts/buildBrowser.mjs', bundle], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`browser bundle failed:\n${built.stdout}\n${built.stderr}`);
  const server = await serve({ dir, port: 0, bundle });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--force-color-profile=srgb', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(600_000); // a loaded machine: the page and its thumbnails can take minutes
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(server.url)) return route.continue();
      foreign.push(route.request().url());
      return route.abort();
    });
    await page.goto(`${server.url}${hash}`);
    await page.waitForFunction(() => (globalThis as unknown as { galmorphExplorer?: { ready: boolean } }).galmorphExplorer?.ready === true, undefined, { timeout: 300_000 });
    // Lazy pictures below the fold would never load in a screenshot that is not scrolled: load them all now.
    await page.evaluate(() => {
      for (const img of (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ loading: string }> } }).document.querySelectorAll('img[loading="lazy"]')) img.loading = 'eager';
    });
    await page.waitForFunction(() => [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ complete?: boolean }> } }).document.querySelectorAll('img')].every((i) => i.complete === true), undefined, { timeout: 600_000 });
    await page.screenshot({ path: out }); // what the window shows (1200 × 900), from the top
    console.log(`${out}: ${server.url}${hash}`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(bundle, { recursive: true, force: true });
}
if (foreign.length > 0) {
  console.error(`requests that left the loopback server: ${foreign.join(', ')}`);
  process.exit(1);
}
