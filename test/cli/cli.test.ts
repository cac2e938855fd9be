import { describe, expect, it, vi } from 'vitest';
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
      /option "--classifier-weight": expected a number in \[0, 1000000\] \(or null\), got "-1"/,
    );
    await expect(run(['active-learn', '--simulate', '9', '--out', join(tmpdir(), 'gm-x'), '--per-round', '0'])).rejects.toThrow(
      /option "--per-round": expected an integer in \[1, 10000000\], got "0"/,
    );
  });

  it('experiment table1, active-learn and train list their presets and closed sets in --help', async () => {
    // Subcommands write their help to stdout (the output settings are inherited when a command is created).
    const help = async (args: string[]): Promise<string> => {
      let text = '';
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        text += String(chunk);
        return true;
      });
      try {
        await expect(buildProgram().parseAsync(['node', 'galmorph', ...args, '--help'])).rejects.toThrow('(outputHelp)');
      } finally {
        write.mockRestore();
      }
      return text.replace(/\s+/g, ' '); // commander wraps long lines
    };
    const table1 = await help(['experiment', 'table1']);
    expect(table1).toMatch(/--preset <name>.*choices: "quick", "paper"/);
    expect(table1).toMatch(/--likelihood <kind>.*choices: "bernoulli", "gaussian", "laplace"/);
    expect(table1).toMatch(/--learning-rate <x>/);
    expect(table1).toMatch(/paper: .*cellSeconds=0/);
    const al = await help(['active-learn']);
    expect(al).toMatch(/--acquisition <name>.*choices: "bald", "entropy"/);
    expect(al).toMatch(/--retrain <mode>.*choices: "warm-start", "from-scratch"/);
    expect(al).toMatch(/quick: \(the defaults\)/);
    expect(await help(['train'])).toMatch(/none: \(the defaults\) gz2: crop=0.5 /);
    expect(await help(['train'])).toMatch(/Ctrl-C \(SIGINT\) or SIGTERM lets the current training step finish, saves a checkpoint .* exits with 130 or 143 .*OUT\/run\.lock/);
    expect(table1).toMatch(/Ctrl-C .* keeps the completed cells/);
    expect(al).toMatch(/Ctrl-C .* active-learn cannot resume/);
  });
});
