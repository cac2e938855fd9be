// The package as a user gets it: `import … from 'galmorph'` resolved through package.json `exports` to the built
// dist/ (npm test builds before vitest), in a separate Node process, and `npm pack` shipping what that needs.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gm-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'galmorph'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module', private: true }));
  return dir;
}

describe('public API (built package)', () => {
  it('imports by package name, simulates a catalog, reads it back and knows the shipped model', () => {
    const dir = userProject();
    const script = `
      import * as gm from 'galmorph';
      const out = ${JSON.stringify(join(dir, 'sim'))};
      await gm.initBackend({ backend: 'cpu' });
      await gm.simulate({ n: 4, size: 32, schema: 'q1', gridTiles: 0, progress: false, out, seed: 1 });
      const catalog = await gm.readCatalog(out, { schema: 'q1' });
      console.log(JSON.stringify({
        version: gm.PACKAGE_VERSION,
        rows: catalog.rows.length,
        shipped: gm.shippedModelNames(),
        functions: ['trainBayesianCnn', 'predict', 'loadBayesianCnn', 'activeLearn', 'runTable1', 'voteFractionMetrics']
          .filter((name) => typeof gm[name] === 'function'),
        inputError: new gm.InputError('x', { file: 'f' }) instanceof Error,
      }));`;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(result).toEqual({
      version: packageJson.version,
      rows: 4,
      shipped: expect.arrayContaining(['gz2']) as unknown,
      functions: ['trainBayesianCnn', 'predict', 'loadBayesianCnn', 'activeLearn', 'runTable1', 'voteFractionMetrics'],
      inputError: true,
    });
  }, 60_000);

  it('refuses deep imports of internals (only the exports map is public)', () => {
    const dir = userProject();
    expect(() =>
      execFileSync(process.execPath, ['--input-type=module', '-e', "import 'galmorph/dist/train/dataParallel.js';"], {
        cwd: dir,
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it('npm pack ships the build, the types, the shipped model and the native sources, not the tests', () => {
    const listing = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(listing) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'pretrained/gz2/model.json', 'dist/browser/galmorph.js', 'dist/browser/wasm/tfjs-backend-wasm-simd.wasm', 'native/binding.gyp', 'scripts/buildNative.mjs']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('native/build/'))).toBe(false);
  }, 60_000);
});
