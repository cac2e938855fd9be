/**
 * The shipped gz2 model in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
 * loads the browser bundle (built here with scripts/buildBrowser.mjs), fetches pretrained/gz2 by URL from a static
 * server on a loopback port (no other network: every other request is aborted and counted), preprocesses simulated
 * galaxy PNGs from <img> elements, and predicts with the wasm backend. Its vote fractions must equal Node's
 * `galmorph predict` path (predictPasses + summarisePasses, same seed and batch) on the same files, and a corrupt
 * weights.bin must be refused with Node's message. Skipped, saying why, only when /usr/bin/chromium is absent
 * (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { initBackend } from '../../src/backend/initBackend.js';
import { createGalaxySimulator } from '../../src/data/simulator/simulateGalaxy.js';
import { loadImage } from '../../src/data/image.js';
import { loadBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { PRETRAINED_DIR } from '../../src/models/pretrained.js';
import { predictPasses } from '../../src/workflows/predict/predictPasses.js';
import { summarisePasses } from '../../src/workflows/predict/predictSummary.js';
import type { BrowserPrediction } from '../../src/browser/index.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`test/browser/browserModel.test.ts: SKIPPED — ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run does)`);
}

const PASSES = 6;
const SEED = 7;
const MODEL_DIR = join(PRETRAINED_DIR, 'gz2');
const dir = mkdtempSync(join(tmpdir(), 'gm-browser-'));
const images = ['grey-a.png', 'grey-b.png', 'rgb-c.png'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json',
  '.wasm': 'application/wasm', '.png': 'image/png', '.bin': 'application/octet-stream',
};

/** Serves `routes` (URL prefix → folder) and the test page at /; nothing outside the folders. */
function staticServer(routes: Record<string, string>): Server {
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>galmorph</title><script type="module">' +
        'import * as galmorph from "/bundle/galmorph.js"; window.galmorph = galmorph; window.galmorphReady = true;</script>');
      return;
    }
    for (const [prefix, folder] of Object.entries(routes)) {
      if (!path.startsWith(prefix)) continue;
      const file = resolve(folder, `.${path.slice(prefix.length - 1)}`);
      if (file.startsWith(resolve(folder) + sep) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
}

let server: Server;
let browser: Browser;
let page: Page;
let origin: string;
const foreignRequests: string[] = [];

beforeAll(async () => {
  if (!hasChromium) return;
  // The bundle, fresh from the sources (esbuild, ~1.5 MB) with the wasm binaries beside it.
  const built = spawnSync(process.execPath, ['scripts/buildBrowser.mjs', join(dir, 'bundle')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`browser bundle failed:\n${built.stdout}\n${built.stderr}`);
  // Three simulated galaxies, 200 px (the model crops the central 100 px and averages it down to 64): two grey PNGs
  // and one RGB PNG, so both decoders' grey and colour paths are compared.
  mkdirSync(join(dir, 'images'));
  const simulateOne = createGalaxySimulator({ size: 200, seed: 3 });
  for (const [k, name] of images.entries()) {
    const galaxy = simulateOne(k);
    const grey = Uint8Array.from(galaxy.image, (v) => Math.round(v * 255));
    if (name.startsWith('grey')) {
      await sharp(grey, { raw: { width: 200, height: 200, channels: 1 } }).png().toFile(join(dir, 'images', name));
    } else {
      const rgb = new Uint8Array(grey.length * 3);
      grey.forEach((v, p) => rgb.set([v, Math.round(v * 0.8), Math.round(v * 0.6)], 3 * p));
      await sharp(rgb, { raw: { width: 200, height: 200, channels: 3 } }).png().toFile(join(dir, 'images', name));
    }
  }
  // A copy of gz2 whose weights.bin has one byte flipped (same size: only the checksum can tell).
  mkdirSync(join(dir, 'corrupt'));
  copyFileSync(join(MODEL_DIR, 'model.json'), join(dir, 'corrupt', 'model.json'));
  const weights = readFileSync(join(MODEL_DIR, 'weights.bin'));
  weights[1000] ^= 0x01;
  writeFileSync(join(dir, 'corrupt', 'weights.bin'), weights);

  server = staticServer({ '/bundle/': join(dir, 'bundle'), '/models/gz2/': MODEL_DIR, '/models/corrupt/': join(dir, 'corrupt'), '/images/': join(dir, 'images') });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--force-color-profile=srgb', '--disable-gpu'] });
  page = await browser.newPage();
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (globalThis as unknown as { galmorphReady?: boolean }).galmorphReady === true, undefined, { timeout: 30_000 })
    .catch((e: Error) => { throw new Error(`the bundle did not load: ${pageErrors.join('; ') || e.message}`); });

  await initBackend({ backend: 'wasm', nativeKernels: false });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  rmSync(dir, { recursive: true, force: true });
});

interface PageResult {
  backend: { backend: string; kernels: string[] };
  prediction: BrowserPrediction;
  inputs: number[][];
  modelKind: string;
  loadMs: number;
  predictMs: number;
  warmMs: number;
  corrupt: string;
}

describe.skipIf(!hasChromium)('the shipped gz2 model in headless Chromium', () => {
  it('predicts the same vote fractions as Node for the same pixels and seed, and refuses a corrupt weights.bin with Node\'s message', async () => {
    const result = await page.evaluate(async ({ images, passes, seed }): Promise<PageResult> => {
      // The page's globals, typed by hand (the project's TypeScript settings have no DOM library).
      type Galmorph = typeof import('../../src/browser/index.js');
      const { galmorph: g, Image } = globalThis as unknown as { galmorph: Galmorph; Image: new () => { src: string; naturalWidth: number; naturalHeight: number; decode(): Promise<void> } };
      const backend = await g.initBrowserBackend({ backend: 'wasm', wasmPaths: '/bundle/wasm/' });
      const t0 = performance.now();
      const gz2 = await g.loadModel('/models/gz2/');
      const t1 = performance.now();
      const elements = await Promise.all(images.map(async (name) => {
        const img = new Image();
        img.src = `/images/${name}`;
        await img.decode();
        return img;
      }));
      const t2 = performance.now();
      const prediction = await gz2.predict(elements, { passes, seed });
      const t3 = performance.now();
      await gz2.predict(elements, { passes, seed }); // again, warm (kernels compiled, buffers allocated)
      const warmMs = performance.now() - t3;
      const inputs = elements.map((img) => Array.from(gz2.preprocess(img).data));
      gz2.dispose();
      let corrupt = 'loaded';
      try {
        (await g.loadModel('/models/corrupt/')).dispose();
      } catch (e) {
        corrupt = (e as Error).message;
      }
      return { backend, prediction, inputs, modelKind: gz2.meta.kind, loadMs: t1 - t0, predictMs: t3 - t2, warmMs, corrupt };
    }, { images, passes: PASSES, seed: SEED });

    expect(foreignRequests, 'requests that left the loopback server').toEqual([]);
    expect(result.backend.backend).toBe('wasm');
    expect(result.modelKind).toBe('bayesian-cnn');

    // Node: the same files through `galmorph predict`'s path (sharp decoding, predictPasses, summarisePasses).
    const { model, preprocessing } = loadBayesianCnn('gz2');
    try {
      const rows = images.map((name) => ({ id: name, image: join(dir, 'images', name) }));
      for (const [k, row] of rows.entries()) {
        const nodeInput = (await loadImage(row.image, preprocessing)).data;
        const gap = Math.max(...Array.from(nodeInput, (v, i) => Math.abs(v - result.inputs[k][i])));
        expect(gap, `largest input pixel difference, ${row.id}`).toBeLessThan(1e-6);
      }
      const outputs = await predictPasses([{ model, preprocessing, source: 'gz2' }], rows, { passes: PASSES, views: 1, seed: SEED, batchSize: 64, progress: false });
      const node = summarisePasses(model.head, model.schema, outputs.passes, 40);
      expect(result.prediction.answers).toEqual(node.answers.map((a) => a.key));
      let largest = 0;
      node.fraction.forEach((row, b) => row.forEach((f, a) => (largest = Math.max(largest, Math.abs(f - result.prediction.fraction[b][a])))));
      console.log(`browser (Chromium ${browser.version()}, ${result.backend.backend} + ${result.backend.kernels.length} galmorph kernels): ` +
        `load gz2 ${result.loadMs.toFixed(0)} ms, predict ${images.length} images × ${PASSES} passes ${result.predictMs.toFixed(0)} ms (again: ${result.warmMs.toFixed(0)} ms); ` +
        `largest |browser − Node| vote fraction ${largest.toExponential(2)}`);
      expect(largest).toBeLessThan(1e-4);
      // Dropout is on: the passes differ, so equal means agree pass by pass, not just on a deterministic mean.
      expect(Math.abs(result.prediction.passes[0][0][0] - result.prediction.passes[1][0][0])).toBeGreaterThan(1e-3);
    } finally {
      model.dispose();
    }

    // The corrupt copy: refused in Node and in the browser with the same words, naming the path or the URL.
    let nodeMessage = 'loaded';
    try {
      loadBayesianCnn(join(dir, 'corrupt')).model.dispose();
    } catch (e) {
      nodeMessage = (e as Error).message;
    }
    expect(nodeMessage).toMatch(/weights\.bin: its SHA-256 does not match the one model\.json recorded/);
    expect(result.corrupt.replace(`${origin}/models/corrupt/`, 'FOLDER/')).toBe(nodeMessage.replace(`${join(dir, 'corrupt')}/`, 'FOLDER/'));
  });
});
