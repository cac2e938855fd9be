#!/usr/bin/env node
// `npm run build:native`: compiles the optional oneDNN addon (native/) with node-gyp. Checks the compiler and the
// oneDNN headers first so a missing prerequisite is one clear line, then loads the result to prove it works.
// galmorph runs without the addon (pure wasm kernels); nothing builds it implicitly.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const INSTALL = 'Debian/Ubuntu: apt-get install -y libdnnl-dev g++';

function fail(message) {
  console.error(`build:native: ${message}`);
  process.exit(1);
}

const cxx = process.env.CXX || 'c++';
const probe = spawnSync(cxx, ['-fsyntax-only', '-x', 'c++', '-'], {
  input: '#include <oneapi/dnnl/dnnl.hpp>\nint main() { return dnnl_version()->major; }\n',
  encoding: 'utf8',
});
if (probe.error) fail(`no C++ compiler (${cxx}: ${probe.error.message}); ${INSTALL}`);
if (probe.status !== 0) fail(`the oneDNN headers (oneapi/dnnl/dnnl.hpp) are missing; ${INSTALL}`);

const nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
try {
  execFileSync(process.execPath, [nodeGyp, 'rebuild', '--directory', 'native'], { cwd: root, stdio: 'inherit' });
} catch {
  fail('node-gyp failed (output above)');
}

const addon = createRequire(import.meta.url)(`${root}native/build/Release/galmorph_native.node`);
console.log(`build:native: built native/build/Release/galmorph_native.node (oneDNN ${addon.version()})`);
