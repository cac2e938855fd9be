/**
 * Where the tfjs-backend-wasm `.wasm` binaries are under Node: resolved from node_modules through the package
 * itself, so it works from `src/` under tsx/vitest and from the compiled `dist/` alike.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/** The directory holding the wasm binaries, with a trailing separator (as `setWasmPaths` expects). */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  const directory = join(dirname(packageJson), 'dist');
  if (!existsSync(join(directory, WASM_FILE))) {
    throw new Error(
      `galmorph: the wasm backend's binaries are missing (looked for ${join(directory, WASM_FILE)}); ` +
        'reinstall @tensorflow/tfjs-backend-wasm',
    );
  }
  return `${directory}/`;
}
