import { describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.js';

async function run(args: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(['node', 'galmorph', ...args]);
}

describe('galmorph CLI', () => {
  it('simulate writes a catalog folder', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gm-cli-')), 'sim');
    await run(['simulate', '--n', '6', '--size', '32', '--schema', 'q1', '--grid', '0', '--out', out]);
    expect(existsSync(join(out, 'labels.csv'))).toBe(true);
    const header = readFileSync(join(out, 'labels.csv'), 'utf8').split('\n')[0];
    expect(header).toContain('image_file');
    expect(readFileSync(join(out, 'labels.csv'), 'utf8').trim().split('\n')).toHaveLength(7);
  });

  it('rejects bad flags naming the flag and the expected value', async () => {
    await expect(run(['simulate', '--n', 'many'])).rejects.toThrow(/option "--n": expected an integer in \[1, 100000000\], got "many"/);
    await expect(run(['simulate', '--schema', 'gz9', '--n', '2', '--out', join(tmpdir(), 'gm-x')])).rejects.toThrow(
      /argument 'gz9' is invalid. Allowed choices are gz2, decals-dr5, q1/,
    );
    await expect(run(['experiment', 'table1', '--classifier-weight', '-1'])).rejects.toThrow(
      /option "--classifier-weight": expected a number in \[0, Infinity\], got "-1"/,
    );
  });
});
