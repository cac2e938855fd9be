import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTorchReference, torchAvailable } from '../../src/bench/torchReference.js';

describe('torch reference runner', () => {
  it('skips with the reason when the script is missing', () => {
    const run = runTorchReference('/nonexistent/torch_reference.py', 'train', [1], 1);
    expect(run.records).toEqual([]);
    expect(run.skipped).toBe('torch reference script not found at /nonexistent/torch_reference.py');
  });

  it.skipIf(torchAvailable() !== null)('runs PyTorch with glibc thresholds that keep its buffers mapped (unless the user set them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchref-'));
    try {
      const script = join(dir, 'fake.py');
      writeFileSync(script, [
        'import json, os',
        'print(json.dumps({"bench": "train_step", "threads": 1, "images_per_s": int(os.environ["MALLOC_MMAP_THRESHOLD_"]),',
        '                  "trim": int(os.environ["MALLOC_TRIM_THRESHOLD_"])}))',
      ].join('\n'));
      const saved = process.env.MALLOC_TRIM_THRESHOLD_;
      process.env.MALLOC_TRIM_THRESHOLD_ = '12345';
      try {
        const run = runTorchReference(script, 'train', [1], 1);
        expect(run.skipped).toBeNull();
        expect(run.records[0]).toMatchObject({ images_per_s: 1e9, trim: 12345 });
      } finally {
        if (saved === undefined) delete process.env.MALLOC_TRIM_THRESHOLD_;
        else process.env.MALLOC_TRIM_THRESHOLD_ = saved;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
