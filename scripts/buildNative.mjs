#!/usr/bin/env node
// Builds the optional oneDNN addon (native/) with node-gyp, then loads it to prove it works.
//   npm run build:native             build, or fail with one clear line saying what is missing
//   node scripts/buildNative.mjs --if-possible
//                                    (the package's install step) build when a compiler and oneDNN are present;
//                                    otherwise print a one-line notice and succeed, so `npm ci` never fails on it
// galmorph runs without the addon (pure wasm kernels); with it, training and inference use oneDNN convolutions.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const INSTALL = 'Debian/Ubuntu: apt-get install -y libdnnl-dev g++, then npm run build:native';
const optional = process.argv.includes('--if-possible');

function stop(message) {
  if (optional) {
    console.log(`galmorph: native oneDNN kernels not built (${message}); using the wasm kernels`);
    process.exit(0);
  }
  console.error(`build:native: ${message}`);
  process.exit(1);
}

if (optional && process.env.GALMORPH_SKIP_NATIVE) stop('GALMORPH_SKIP_NATIVE is set');
if (!existsSync(`${root}native/binding.gyp`)) stop('native/binding.gyp is not in this copy of the package');

const cxx = process.env.CXX || 'c++';
const probe = spawnSync(cxx, ['-fsyntax-only', '-x', 'c++', '-'], {
  input: '#include <oneapi/dnnl/dnnl.hpp>\nint main() { return dnnl_version()->major; }\n',
  encoding: 'utf8',
});
if (probe.error) stop(`no C++ compiler (${cxx}: ${probe.error.message}); ${INSTALL}`);
if (probe.status !== 0) stop(`the oneDNN headers (oneapi/dnnl/dnnl.hpp) are missing; ${INSTALL}`);

// npm sets npm_config_node_gyp to its own node-gyp during install scripts; a development checkout has node-gyp
// as a dev dependency.
function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}
const nodeGyp = findNodeGyp();
if (nodeGyp === null) stop('node-gyp not found (install it or run through npm)');

// node-gyp downloads Node's headers unless told where they are: use the installed ones when this Node has them
// (npm passes its nodedir setting itself), so the build works offline.
const args = [nodeGyp, 'rebuild', '--directory', 'native'];
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) args.push(`--nodedir=${prefix}`);

try {
  execFileSync(process.execPath, args, {
    cwd: root,
    stdio: optional ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    maxBuffer: 64 * 1024 * 1024,
  });
} catch (e) {
  const tail = String(e.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '';
  stop(`node-gyp failed${tail ? `: ${tail}` : ' (output above)'}`);
}

let version;
try {
  version = createRequire(import.meta.url)(`${root}native/build/Release/galmorph_native.node`).version();
} catch (e) {
  stop(`the built addon does not load: ${e.message}`);
}
console.log(`${optional ? 'galmorph' : 'build:native'}: built native/build/Release/galmorph_native.node (oneDNN ${version})`);
