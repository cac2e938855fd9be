import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHECKPOINT_FORMAT, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/models/checkpoint.js';
import { asideFolder, mendFolder } from '../../src/util/atomicFolder.js';

function sample(): Checkpoint {
  return {
    meta: { format: CHECKPOINT_FORMAT, kind: 'bcnn', config: { a: 1 }, schema: null, preprocessing: { size: 64 }, step: 12, savedAt: 'now' },
    weights: {
      'enc/kernel': { shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      'enc/bias': { shape: [3], values: Float32Array.from([-1, 0.5, 7]) },
    },
    optimizer: { 'enc/kernel/m': { shape: [2, 3], values: new Float32Array(6).fill(0.25) } },
  };
}

describe('checkpoint', () => {
  it('round-trips weights, optimiser state and metadata', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-ckpt-'));
    saveCheckpoint(dir, sample());
    const back = loadCheckpoint(dir, 'bcnn');
    expect(back.meta.step).toBe(12);
    expect(back.meta.config).toEqual({ a: 1 });
    expect(Array.from(back.weights['enc/bias'].values)).toEqual([-1, 0.5, 7]);
    expect(back.weights['enc/kernel'].shape).toEqual([2, 3]);
    expect(Array.from(back.optimizer!['enc/kernel/m'].values)).toEqual(new Array(6).fill(0.25));
  });

  it('refuses the wrong kind, a foreign format, a missing folder and a truncated weight file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-ckpt-'));
    saveCheckpoint(dir, sample());
    expect(() => loadCheckpoint(dir, 'etvae')).toThrow(/holds a "bcnn" model, but a "etvae" model is needed/);
    expect(() => loadCheckpoint(join(dir, 'nope'))).toThrow(/no model.json here/);
    const bytes = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bytes.subarray(0, 8));
    expect(() => loadCheckpoint(dir)).toThrow(/weights.bin: has 8 bytes but model.json describes 36/);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.format = 'keras';
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    expect(() => loadCheckpoint(dir)).toThrow(/format is "keras", expected "galmorph-checkpoint\/1"/);
  });
});

/** A checkpoint whose every weight is `step` and every optimiser value −step, so a mix of two saves shows. */
function stamped(step: number, size: number): Checkpoint {
  return {
    meta: { format: CHECKPOINT_FORMAT, kind: 'bcnn', config: {}, schema: null, preprocessing: {}, step, savedAt: 'now' },
    weights: { w: { shape: [size], values: new Float32Array(size).fill(step) } },
    optimizer: { m: { shape: [size], values: new Float32Array(size).fill(-step) } },
  };
}

function expectConsistent(ckpt: Checkpoint): void {
  const w = ckpt.weights.w.values;
  const m = ckpt.optimizer!.m.values;
  const step = ckpt.meta.step;
  for (const k of [0, w.length >> 1, w.length - 1]) {
    expect(w[k], `weights[${k}] of the step-${step} checkpoint`).toBe(step);
    expect(m[k], `optimizer[${k}] of the step-${step} checkpoint`).toBe(-step);
  }
}

describe('checkpoint written as one unit', () => {
  it('a process killed (SIGKILL) at any point of a save leaves a complete checkpoint: the previous one or the new one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gm-ckpt-kill-'));
    const script = join(root, 'writer.mjs');
    const moduleUrl = pathToFileURL(resolve('src/models/checkpoint.ts')).href;
    // The child saves step 1, then saves step 2 and SIGKILLs itself just before its K-th file-system change (mkdir,
    // write, rename, remove) — every point of the save for K = 1, 2, … until the save completes first.
    writeFileSync(script, `
      import { createRequire, syncBuiltinESMExports } from 'node:module';
      const fs = createRequire(import.meta.url)('node:fs');
      const [dir, killAt] = [process.argv[2], Number(process.argv[3])];
      const { saveCheckpoint, CHECKPOINT_FORMAT } = await import(${JSON.stringify(moduleUrl)});
      const stamped = (step) => ({
        meta: { format: CHECKPOINT_FORMAT, kind: 'bcnn', config: {}, schema: null, preprocessing: {}, step, savedAt: 'now' },
        weights: { w: { shape: [1000], values: new Float32Array(1000).fill(step) } },
        optimizer: { m: { shape: [1000], values: new Float32Array(1000).fill(-step) } },
      });
      saveCheckpoint(dir, stamped(1));
      let changes = 0;
      for (const name of ['mkdirSync', 'writeSync', 'writeFileSync', 'renameSync', 'rmSync', 'unlinkSync', 'copyFileSync']) {
        const original = fs[name];
        fs[name] = (...args) => {
          if (++changes === killAt) process.kill(process.pid, 'SIGKILL');
          return original(...args);
        };
      }
      syncBuiltinESMExports();
      saveCheckpoint(dir, stamped(2));
      process.stdout.write('completed after ' + changes + ' changes\\n');
    `);
    const runChild = (dir: string, killAt: number) => new Promise<{ signal: NodeJS.Signals | null; out: string }>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, dir, String(killAt)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', fail);
      child.on('exit', (_code, signal) => done({ signal, out }));
    });
    const steps = new Map<number, number>();
    let completedAt = Number.POSITIVE_INFINITY;
    for (let first = 1; first < completedAt; first += 4) {
      const batch = [first, first + 1, first + 2, first + 3];
      const results = await Promise.all(batch.map((k) => runChild(join(root, `kill${k}`, 'last'), k)));
      results.forEach((r, i) => {
        const k = batch[i];
        const dir = join(root, `kill${k}`, 'last');
        if (r.signal === null) completedAt = Math.min(completedAt, k);
        else expect(r.signal, `kill before change ${k}`).toBe('SIGKILL');
        // Before the fix, a kill after weights.bin was written: "weights.bin: its SHA-256 does not match …".
        const ckpt = loadCheckpoint(dir, 'bcnn');
        expectConsistent(ckpt);
        steps.set(k, ckpt.meta.step);
        mendFolder(dir); // what the next writer (or --resume) does first
        expect(readdirSync(join(root, `kill${k}`))).toEqual(['last']);
        expectConsistent(loadCheckpoint(dir, 'bcnn'));
      });
    }
    // Killed early: the previous checkpoint; once the new folder is renamed into place: the new one.
    const killed = [...steps].filter(([k]) => k < completedAt).map(([, step]) => step);
    expect(killed[0]).toBe(1);
    expect(killed.at(-1)).toBe(2);
    expect(killed).toEqual([...killed].sort());
    expect(completedAt).toBeGreaterThan(4);
  });

  it('a save cut between its two renames: readers get the previous checkpoint, the next writer puts it back', () => {
    const root = mkdtempSync(join(tmpdir(), 'gm-ckpt-cut-'));
    const dir = join(root, 'last');
    saveCheckpoint(dir, stamped(2, 10));
    // What a kill leaves after `last` was set aside and before the new folder was renamed into place.
    renameSync(dir, asideFolder(dir));
    const temp = join(root, '.last.tmp-99999');
    mkdirSync(temp);
    writeFileSync(join(temp, 'weights.bin'), new Uint8Array(12)); // half-written
    expect(existsSync(dir)).toBe(false);
    expect(loadCheckpoint(dir).meta.step).toBe(2);
    expect(existsSync(dir)).toBe(false); // loading changes nothing
    const notes = mendFolder(dir);
    expect(notes.join('\n')).toMatch(/cut off between its renames; the previous contents .* are back in place/);
    expect(notes.join('\n')).toMatch(/\.last\.tmp-99999: removed an unfinished save/);
    expectConsistent(loadCheckpoint(dir));
    expect(readdirSync(root)).toEqual(['last']);
    saveCheckpoint(dir, stamped(3, 10));
    expect(loadCheckpoint(dir).meta.step).toBe(3);
    expect(readdirSync(root)).toEqual(['last']);
  });

  it('refuses a folder mixed from two saves (new weights.bin beside the old model.json), naming the file', () => {
    const root = mkdtempSync(join(tmpdir(), 'gm-ckpt-torn-'));
    saveCheckpoint(join(root, 'epoch2'), stamped(2, 10));
    saveCheckpoint(join(root, 'epoch3'), stamped(3, 10));
    const torn = join(root, 'torn');
    cpSync(join(root, 'epoch2'), torn, { recursive: true });
    cpSync(join(root, 'epoch3', 'weights.bin'), join(torn, 'weights.bin'));
    expect(() => loadCheckpoint(torn)).toThrow(/torn[/\\]weights\.bin: its SHA-256 does not match the one model\.json recorded/);
  });
});
