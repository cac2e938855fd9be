#!/usr/bin/env node
// Bundles galmorph's browser entry (src/browser/index.ts) into one ES module, dist/browser/galmorph.js, with
// esbuild, and copies the tfjs wasm binaries beside it (dist/browser/wasm/) so a page can serve both. The explorer's
// front end (src/web/app/, `galmorph serve`) is bundled beside it as explorer.js; it loads galmorph.js at run time
// (one copy of TensorFlow.js, not two):
//   npm run build:browser            (part of npm run build)
//   import { buildBrowserBundle } from './scripts/buildBrowser.mjs'   (the browser test bundles into a temp folder)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The folder holding tfjs-backend-wasm's .wasm binaries. */
export function wasmBinaryFolder() {
  const require = createRequire(join(root, 'package.json'));
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

/** Bundles into `outDir`/galmorph.js and copies the wasm binaries into `outDir`/wasm/; returns the bundle's path. */
export async function buildBrowserBundle(outDir = join(root, 'dist', 'browser'), { minify = true, sourcemap = false } = {}) {
  const outfile = join(outDir, 'galmorph.js');
  await build({
    entryPoints: [join(root, 'src', 'browser', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile,
    minify,
    sourcemap,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(root, 'src', 'web', 'app', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(outDir, 'explorer.js'),
    external: ['/static/galmorph.js'],
    minify,
    sourcemap,
    logLevel: 'warning',
  });
  mkdirSync(join(outDir, 'wasm'), { recursive: true });
  const wasm = wasmBinaryFolder();
  for (const name of readdirSync(wasm).filter((n) => n.endsWith('.wasm'))) copyFileSync(join(wasm, name), join(outDir, 'wasm', name));
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outfile = await buildBrowserBundle(process.argv[2]);
  console.log(`build:browser: ${outfile} (+ explorer.js, wasm/)`);
}
