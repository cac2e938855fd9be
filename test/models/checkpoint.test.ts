import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKPOINT_FORMAT, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/models/checkpoint.js';

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
