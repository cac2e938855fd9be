/**
 * Fault tests of `galmorph train` (issue 10, faults 1–3): SIGINT/SIGTERM during training, a save cut by a kill,
 * a torn checkpoint. The interrupted runs are real CLI processes; the reference is an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/backend/initBackend.js';
import { shellQuote } from '../../../src/util/commandLine.js';
import { LOCK_FILE } from '../../../src/util/runLock.js';
import { simulate } from '../../../src/workflows/simulate/simulate.js';
import { trainBayesianCnn, type TrainBayesianCnnOptions } from '../../../src/workflows/train/trainBayesianCnn.js';

const dir = mkdtempSync(join(tmpdir(), 'train-faults-'));
const sim = join(dir, 'sim');
/** Batches of 2 (19 steps an epoch) so that a signal lands inside an epoch. */
const flags = ['--data', sim, '--epochs', '3', '--image-size', '16', '--blocks', '4/4', '--dense-units', '8', '--batch-size', '2',
  '--passes', '2', '--workers', '1', '--backend', 'cpu', '--seed', '2'];
const options: Partial<TrainBayesianCnnOptions> = {
  data: sim, epochs: 3, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, batchSize: 2, passes: 2, workers: 1, backend: 'cpu', seed: 2, progress: false,
};
let straight = '';

interface Finished { code: number | null; signal: NodeJS.Signals | null; stderr: string }

/** Runs `galmorph <args>` as its own process; `onStart` may signal it. */
function galmorph(args: string[], onStart?: (signal: (s: NodeJS.Signals) => void) => void): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  onStart?.((s) => child.kill(s));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

/** Sends `signal` once `file` exists (the first epoch's checkpoint). */
function signalWhenExists(file: string, signal: NodeJS.Signals) {
  return (send: (s: NodeJS.Signals) => void) => {
    const poll = setInterval(() => {
      if (existsSync(file)) {
        clearInterval(poll);
        send(signal);
      }
    }, 10);
  };
}

const bytes = (path: string) => readFileSync(path);
const epochs = (out: string) => (JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { epoch: number; step: number; trainLoss: number; valLoss: number }[])
  .map(({ epoch, step, trainLoss, valLoss }) => ({ epoch, step, trainLoss, valLoss }));

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await simulate({ n: 48, out: sim, size: 16, seed: 3, progress: false, gridTiles: 0 });
  straight = join(dir, 'straight');
  await trainBayesianCnn({ ...options, out: straight } as TrainBayesianCnnOptions);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('galmorph train under faults', () => {
  it('SIGINT after the first checkpoint: exit 130, "interrupted at epoch E step S; resume with <command> --resume" in run.log and on stderr, lock released; that command ends with the weights of an uninterrupted run', async () => {
    const out = join(dir, 'sigint');
    const outTerm = join(dir, 'sigterm');
    const [interrupted, terminated] = await Promise.all([
      galmorph(['train', ...flags, '--out', out], signalWhenExists(join(out, 'last', 'model.json'), 'SIGINT')),
      galmorph(['train', ...flags, '--out', outTerm], signalWhenExists(join(outTerm, 'last', 'model.json'), 'SIGTERM')),
    ]);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(terminated.code, terminated.stderr).toBe(143);
    const command = `galmorph ${['train', ...flags, '--out', out].map(shellQuote).join(' ')} --resume`;
    const line = /galmorph: (interrupted (at epoch (\d+) step \d+|by SIGINT after training epoch \d+) .*; resume with (.*?)( to score the test split)?)\n/.exec(interrupted.stderr);
    expect(line, interrupted.stderr).not.toBeNull();
    expect(line![4]).toBe(command);
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toContain(line![1]);
    expect(terminated.stderr).toMatch(/galmorph: interrupted (at epoch \d+ step \d+ \(by SIGTERM|by SIGTERM after training epoch)/);
    for (const folder of [out, outTerm]) expect(existsSync(join(folder, LOCK_FILE)), folder).toBe(false);
    const within = /batch (\d+) of 19 of the epoch/.exec(line![1]);

    // The exact command printed, run as given.
    const resumed = await galmorph(command.split(' ').slice(1));
    expect(resumed.code, resumed.stderr).toBe(0);
    if (within !== null) expect(readFileSync(join(out, 'run.log'), 'utf8')).toContain(`continuing it after batch ${within[1]}`);
    expect(bytes(join(out, 'last', 'weights.bin')).equals(bytes(join(straight, 'last', 'weights.bin')))).toBe(true);
    expect(bytes(join(out, 'last', 'optimizer.bin')).equals(bytes(join(straight, 'last', 'optimizer.bin')))).toBe(true);
    expect(bytes(join(out, 'model', 'weights.bin')).equals(bytes(join(straight, 'model', 'weights.bin')))).toBe(true);
    expect(epochs(out)).toEqual(epochs(straight));
  }, 600_000);

  it('a kill during the epoch-3 save of last/ (cut between its renames, a half-written temporary folder): --resume puts epoch 2 back and ends with the uninterrupted weights', async () => {
    const out = join(dir, 'cut');
    await trainBayesianCnn({ ...options, epochs: 2, out } as TrainBayesianCnnOptions);
    cpSync(join(out, 'last'), join(dir, 'epoch2-last'), { recursive: true }); // for the next test
    // What a kill -9 leaves in the middle of the next save: last/ set aside, the new folder half-written.
    renameSync(join(out, 'last'), join(out, '.last.old'));
    mkdirSync(join(out, '.last.tmp-4242'));
    writeFileSync(join(out, '.last.tmp-4242', 'weights.bin'), new Uint8Array(100));
    const resumed = await trainBayesianCnn({ ...options, out, resume: true } as TrainBayesianCnnOptions);
    const log = readFileSync(join(out, 'run.log'), 'utf8');
    expect(log).toMatch(/a save was cut off between its renames; the previous contents .* are back in place/);
    expect(log).toMatch(/\.last\.tmp-4242: removed an unfinished save/);
    expect(log).toMatch(/resuming from .*last: epoch 2/);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(bytes(join(out, 'last', 'weights.bin')).equals(bytes(join(straight, 'last', 'weights.bin')))).toBe(true);
    expect(epochs(out)).toEqual(epochs(straight));
  }, 600_000);

  it('--resume refuses a torn checkpoint (epoch-3 weights.bin beside epoch-2 model.json) naming the file and what to do', async () => {
    const out = join(dir, 'torn');
    cpSync(join(dir, 'cut'), out, { recursive: true });
    rmSync(join(out, LOCK_FILE), { force: true });
    // last/ of epoch 2 (saved by the previous test), with the weights of epoch 3 from the uninterrupted run: what a
    // writer of the files one after another left when killed after weights.bin.
    rmSync(join(out, 'last'), { recursive: true });
    cpSync(join(dir, 'epoch2-last'), join(out, 'last'), { recursive: true });
    cpSync(join(straight, 'last', 'weights.bin'), join(out, 'last', 'weights.bin'));
    await expect(trainBayesianCnn({ ...options, out, epochs: 4, resume: true } as TrainBayesianCnnOptions)).rejects.toThrow(
      /torn[/\\]last: --resume refused: the checkpoint to continue from is torn or damaged \(.*weights\.bin: its SHA-256 does not match the one model\.json recorded.*\) — delete .*last to resume from the best model in .*model instead/,
    );
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});
