/**
 * The explorer (`galmorph serve`) in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) on the server over a folder made by the real jobs (test/web/explorerFixture.ts), with the page's
 * bundle built here (scripts/buildBrowser.mjs: galmorph.js + explorer.js + wasm). Every request that leaves the
 * loopback server is aborted and counted (none may), and a Content-Security-Policy violation fails the test. Covered:
 * the map shows thumbnails and a click opens the galaxy's posteriors; an uploaded image gets an in-browser gz2
 * prediction equal (within 1e-4) to `galmorph predict`'s path on the same file, and its similar galaxies; ten
 * ratings on the Anomalies page produce expected-improvement suggestions and survive a server restart; the Runs page
 * shows a run's figures; the Clusters page the gallery of a real `galmorph cluster` run (a tiny VaDE on the
 * fixture's galaxies, its analysis in RUN/seed-0/ where cluster writes it) with the figures of a `galmorph generate` run
 * made from it; the Label next page the predict run's galaxies by
 * BALD (highest first) with its CSV; the Experiments page an active-learn report. A 100,000-galaxy map measures the
 * frame time. Screenshots of each page go to
 * .vitest/explorer-screenshots/. Skipped, saying why, only when /usr/bin/chromium is absent (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { readCsv } from '../../src/data/csv.js';
import { loadBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { Rng } from '../../src/util/rng.js';
import { predictPasses } from '../../src/workflows/predict/predictPasses.js';
import { summarisePasses } from '../../src/workflows/predict/predictSummary.js';
import { clusterGalaxies } from '../../src/workflows/cluster/cluster.js';
import { generate } from '../../src/workflows/generate/generate.js';
import { serve, type RunningExplorer } from '../../src/web/serve.js';
import { UPLOAD_LIMIT_BYTES } from '../../src/web/server.js';
import type { BrowserPrediction } from '../../src/browser/index.js';
import { makeServedFolder, type ServedFolder } from '../web/explorerFixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/browser/explorer.test.ts: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run does)`);

const SCREENSHOTS = resolve('.vitest', 'explorer-screenshots');
const PASSES = 5;
const SEED = 11;
const BIG_MAP = 100_000;
const base = mkdtempSync(join(tmpdir(), 'gm-explorer-'));
const bundle = join(base, 'bundle');
let folder: ServedFolder;
let server: RunningExplorer;
let browser: Browser;
let page: Page;
const foreignRequests: string[] = [];
const problems: string[] = [];

type ExplorerGlobal = { galmorphExplorer: { ready: boolean; page: string; lastPrediction?: BrowserPrediction; map?: MapViewGlobal } };
/** The page's globals the tests touch, typed by hand (the project's TypeScript settings have no DOM library). */
interface BrowserGlobals {
  location: { hash: string };
  document: { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): Iterable<object> };
}
interface MapViewGlobal {
  ids: string[];
  loadedThumbnails: number;
  frameTimes: number[];
  zoom(factor: number): void;
  draw(): number;
  canvas: { width: number; height: number };
  centreOn(id: string): void;
}

async function open(hash: string): Promise<void> {
  await page.goto(`${server.url}${hash}`);
  await page.waitForFunction(() => (globalThis as unknown as ExplorerGlobal).galmorphExplorer?.ready === true, undefined, { timeout: 30_000 });
}

async function startServer(): Promise<void> {
  server = await serve({ dir: folder.root, port: 0, bundle });
}

beforeAll(async () => {
  if (!hasChromium) return;
  await initBackend({ backend: 'wasm', nativeKernels: false });
  const built = spawnSync(process.execPath, ['scripts/buildBrowser.mjs', bundle], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`browser bundle failed:\n${built.stdout}\n${built.stderr}`);
  folder = await makeServedFolder(base);
  // A 100,000-galaxy map with no embeddings store behind it (points only), for the frame-time measurement.
  const rng = new Rng(5);
  const rows = ['id,x,y,score'];
  for (let i = 0; i < BIG_MAP; i++) rows.push(`g${i},${(rng.normal() * 3).toFixed(4)},${(rng.normal() * 2).toFixed(4)},${rng.uniform().toFixed(4)}`);
  mkdirSync(join(folder.root, 'big-map'));
  writeFileSync(join(folder.root, 'big-map', 'coordinates.csv'), `${rows.join('\n')}\n`);
  writeFileSync(join(folder.root, 'big-map', 'config.json'), JSON.stringify({ command: 'map', method: 'pca' }));
  // A real galmorph cluster run on the fixture's 30 galaxies, in miniature (16 px, a 4-dimensional latent, one epoch
  // per phase): it writes its analysis where it always does, in RUN/seed-0/. An active-learn report as the job wrote it (docs/results).
  await clusterGalaxies({
    data: [folder.catalog], out: join(folder.root, 'clu'), k: 3, imageSize: 16, filters: [4, 4, 4], kernels: [3, 3, 3], latentDim: 4, batchSize: 10,
    warmupEpochs: 1, annealEpochs: 1, staticEpochs: 1, periods: 1, topK: 3, workers: 1, backend: 'wasm', seed: 2, progress: false,
  });
  await generate({ model: join(folder.root, 'clu'), out: join(folder.root, 'gen'), perCluster: 2, steps: 3, traversal: 3, progress: false });
  cpSync('docs/results/al-quick-issue12', join(folder.root, 'exp', 'al'), { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await startServer();

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--force-color-profile=srgb', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url)) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('the explorer in headless Chromium', () => {
  it('Map: thumbnails at map positions; a click opens the galaxy with its posteriors down the tree', async () => {
    await open('#/map?run=map');
    await page.waitForFunction(() => ((globalThis as unknown as ExplorerGlobal).galmorphExplorer.map?.loadedThumbnails ?? 0) >= 4, undefined, { timeout: 30_000 });
    await page.selectOption('select[aria-label="colour by"]', 'map: Class1.1');
    await page.waitForSelector('.legend:has-text("viridis")');
    await page.screenshot({ path: join(SCREENSHOTS, 'map.png') });
    // Centre the map on one galaxy and click the canvas centre: its page opens.
    const target = await page.evaluate(() => {
      const map = (globalThis as unknown as ExplorerGlobal).galmorphExplorer.map as MapViewGlobal;
      map.centreOn(map.ids[7]);
      return { id: map.ids[7], w: map.canvas.width, h: map.canvas.height };
    });
    const box = await page.locator('canvas.map').boundingBox();
    await page.mouse.click((box?.x ?? 0) + target.w / 2, (box?.y ?? 0) + target.h / 2);
    await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).location.hash.startsWith('#/galaxy'));
    await page.waitForFunction(() => (globalThis as unknown as ExplorerGlobal).galmorphExplorer.ready === true);
    expect(decodeURIComponent(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).location.hash))).toContain(`id=${target.id}`);
    await page.waitForSelector('table.tree tr[data-answer="q1_smooth"]');
    expect(await page.locator('table.tree').first().locator('tr[data-answer]').count()).toBe(37);
    expect(await page.locator('.thumbs img').count()).toBe(8);
    await page.screenshot({ path: join(SCREENSHOTS, 'galaxy.png'), fullPage: true });
  });

  it('Search: an uploaded PNG is predicted in the browser as galmorph predict does (≤ 1e-4), and its similar galaxies are shown', async () => {
    await open(`#/search?store=emb&passes=${PASSES}&seed=${SEED}`);
    const ids = (await (await fetch(`${server.url}api/map?run=map`)).json()) as { ids: string[] };
    const image = join(folder.catalog, 'images', `${ids.ids[2]}.png`);
    await page.setInputFiles('input[type=file]', image);
    await page.waitForSelector('[data-done="true"] table.tree', { timeout: 60_000 });
    await page.waitForSelector('.thumbs figure', { timeout: 30_000 });
    const prediction = await page.evaluate(() => (globalThis as unknown as ExplorerGlobal).galmorphExplorer.lastPrediction as BrowserPrediction);
    const { model, preprocessing } = loadBayesianCnn('gz2');
    try {
      const outputs = await predictPasses([{ model, preprocessing, source: 'gz2' }], [{ id: 'x', image }], { passes: PASSES, views: 1, seed: SEED, batchSize: 64, progress: false });
      const node = summarisePasses(model.head, model.schema, outputs.passes, 40);
      expect(prediction.answers).toEqual(node.answers.map((a) => a.key));
      const gap = Math.max(...node.fraction[0].map((f, a) => Math.abs(f - prediction.fraction[0][a])));
      const gapLower = Math.max(...node.lower[0].map((f, a) => Math.abs(f - prediction.lower[0][a])));
      console.log(`explorer Search page: largest |browser − Node| vote fraction ${gap.toExponential(2)}, 90% lower bound ${gapLower.toExponential(2)}`);
      expect(gap).toBeLessThan(1e-4);
      expect(gapLower).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
    // The upload's nearest galaxy in the store is itself (the same file, the store's own encoder).
    expect(await page.locator('.thumbs figure img').first().getAttribute('alt')).toBe(ids.ids[2]);
    expect(await page.locator('.thumbs figcaption').first().textContent()).toBe('d=0.00');
    await page.screenshot({ path: join(SCREENSHOTS, 'search.png'), fullPage: true });
  });

  it('Anomalies: ten ratings give expected-improvement suggestions, and they survive a server restart', async () => {
    await open('#/anomalies?store=emb');
    const before = await page.locator('[data-current]').textContent();
    for (let k = 0; k < 10; k++) {
      const id = await page.locator('[data-current]').textContent();
      await page.click(`button[data-rating="${k % 6}"]`);
      await page.waitForFunction((old) => (globalThis as unknown as BrowserGlobals).document.querySelector('[data-current]')?.textContent !== old, id);
    }
    await page.waitForSelector('text=picked by expected improvement');
    const current = await page.locator('[data-current]').textContent();
    expect(current).not.toBe(before);
    await page.screenshot({ path: join(SCREENSHOTS, 'anomalies.png'), fullPage: true });
    await server.close();
    await startServer();
    await open('#/anomalies?store=emb');
    await page.waitForSelector('text=10 ratings so far');
    expect(await page.locator('[data-current]').textContent()).toBe(current);
  });

  it('Attacks sent by the page itself: path traversal and bad uploads get a 4xx with a reason, never the file', async () => {
    await open('#/runs?run=map');
    const paths = ['/files/../secret.txt', '/files/%2e%2e/secret.txt', '/files/..%2fsecret.txt', '/files/%2e%2e%2fsecret.txt',
      '/files/map/%2e%2e/%2e%2e/secret.txt', '/files/link-out/secret.txt', `/files/${encodeURIComponent(folder.secret.path)}`, '/files/%2e%2e%5csecret.txt'];
    const traversal = await page.evaluate(async (urls) => Promise.all(urls.map(async (u) => {
      const r = await fetch(u);
      return { url: u, status: r.status, body: await r.text() };
    })), paths);
    for (const r of traversal) {
      expect(r.status, r.url).toBeGreaterThanOrEqual(400);
      expect(r.status, r.url).toBeLessThan(500);
      expect(r.body, r.url).not.toContain(folder.secret.text);
    }
    // Uploads to the Search page's endpoint, as its drop zone sends them: text called a PNG, a PNG called a JPEG, too large.
    const uploads = await page.evaluate(async (limit) => {
      const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));
      const send = async (body: string | Uint8Array, type: string) => {
        const r = await fetch('/api/similar?store=emb', { method: 'POST', body, headers: { 'content-type': type } });
        return { status: r.status, body: await r.text() };
      };
      return [await send('not an image', 'image/png'), await send(png, 'image/jpeg'), await send(new Uint8Array(limit + 1), 'image/png')];
    }, UPLOAD_LIMIT_BYTES);
    expect(uploads[0].status).toBe(400);
    expect(JSON.parse(uploads[0].body).error).toMatch(/not a readable image/);
    expect(uploads[1].status).toBe(415);
    expect(JSON.parse(uploads[1].body).error).toMatch(/says it is image\/jpeg but its bytes are png/);
    expect(uploads[2].status).toBe(413);
    for (const u of uploads) expect(u.body).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  });

  it('Runs: a run\'s summary and figures', async () => {
    await open('#/runs?run=map');
    await page.waitForSelector('.figures img');
    const loaded = await page.locator('.figures img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(loaded.length).toBeGreaterThan(0);
    await page.waitForFunction(() => [...(globalThis as unknown as BrowserGlobals).document.querySelectorAll('.figures img')].every((i) => (i as { complete?: boolean }).complete === true));
    await page.screenshot({ path: join(SCREENSHOTS, 'runs.png'), fullPage: true });
  });

  it('Clusters, Label next (galaxies by BALD, highest first, and the queue as CSV) and Experiments (an active-learn report)', async () => {
    const allLoaded = () => page.waitForFunction(() => [...(globalThis as unknown as BrowserGlobals).document.querySelectorAll('img')].every((i) => (i as { complete?: boolean }).complete === true));
    // The page shows the clusters of the run's seed-0/assignments.csv: each with its size, biggest first.
    const assignments = readCsv(join(folder.root, 'clu', 'seed-0', 'assignments.csv'));
    const sizes = new Map<string, number>();
    for (const r of assignments.rows) sizes.set(r[assignments.header.indexOf('cluster')], (sizes.get(r[assignments.header.indexOf('cluster')]) ?? 0) + 1);
    expect(assignments.rows).toHaveLength(30);
    expect(existsSync(join(folder.root, 'clu', 'assignments.csv'))).toBe(false);
    await open('#/clusters?run=clu');
    await page.waitForSelector('.thumbs figure img');
    const headings = await page.locator('h3[data-cluster]').allTextContents();
    expect(headings).toEqual([...sizes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c, n]) => `${c}: ${n} galaxies`));
    // …and its overlap matrix, every row of seed-0/overlap.csv (a cluster no galaxy was assigned to has NaN there).
    expect(await page.locator('table.heatmap tr').count()).toBe(readCsv(join(folder.root, 'clu', 'seed-0', 'overlap.csv')).rows.length + 1);
    // …and the figures of the generate run made from its model (galaxies per cluster, interpolation, traversal).
    const generated = (await page.locator('[data-generated="gen"] + .figures img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { alt: string }).alt))).sort();
    expect(generated).toEqual(['gen/interpolation.png', 'gen/samples.png', 'gen/traversal.png']);
    await allLoaded();
    await page.screenshot({ path: join(SCREENSHOTS, 'clusters.png'), fullPage: true });

    const full = readCsv(join(folder.root, 'pred', 'predictions_full.csv'));
    const bald = full.header.indexOf('bald');
    const ranked = [...full.rows].sort((a, b) => Number(b[bald]) - Number(a[bald]) || (a[0] < b[0] ? -1 : 1)).map((r) => r[0]);
    await open('#/label-next?run=pred');
    await page.waitForSelector('.thumbs figure img');
    const shown = await page.locator('.thumbs figure img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { alt: string }).alt));
    expect(shown).toEqual(ranked);
    const href = await page.locator('a[data-csv]').getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url as string)).text(), href);
    expect(csv.split('\n')[0]).toMatch(/^id,bald,q1_bald,/);
    expect(csv.split('\n')[1].split(',')[0]).toBe(ranked[0]);
    await allLoaded();
    await page.screenshot({ path: join(SCREENSHOTS, 'label-next.png'), fullPage: true });

    await open('#/experiments?run=exp/al');
    const curve = readCsv(join(folder.root, 'exp', 'al', 'curve.csv'));
    await page.waitForSelector('table.data[data-table="curve.csv"]');
    expect(await page.locator('table.data[data-table="curve.csv"] tr').count()).toBe(curve.rows.length + 1);
    await page.waitForSelector('.figures img');
    await allLoaded();
    expect(await page.locator('.figures img').evaluateAll((imgs) => imgs.every((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0))).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'experiments.png'), fullPage: true });
  });

  it(`Map of ${BIG_MAP.toLocaleString('en')} galaxies: frame time while zooming`, async () => {
    await open('#/map?run=big-map');
    await page.selectOption('select[aria-label="colour by"]', 'map: score');
    await page.waitForSelector('.legend:has-text("viridis")');
    const { times, width, height } = await page.evaluate(() => {
      const map = (globalThis as unknown as ExplorerGlobal).galmorphExplorer.map as MapViewGlobal;
      const out: number[] = [];
      for (let k = 0; k < 60; k++) {
        map.zoom(k < 30 ? 1.08 : 1 / 1.08);
        out.push(map.draw());
      }
      return { times: out, width: map.canvas.width, height: map.canvas.height };
    });
    expect(width * height).toBeGreaterThan(0);
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const p95 = sorted[Math.floor(0.95 * sorted.length)];
    console.log(`explorer Map page, ${BIG_MAP} galaxies on a ${width} × ${height} canvas (Chromium ${browser.version()}, software rendering): redraw median ${median.toFixed(1)} ms, 95th percentile ${p95.toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms over 60 zoom steps`);
    await page.screenshot({ path: join(SCREENSHOTS, 'map-100k.png') });
    expect(median).toBeLessThan(50);
    expect(foreignRequests, 'requests that left the loopback server').toEqual([]);
    expect(problems).toEqual([]);
  });
});
