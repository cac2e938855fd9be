import { describe, expect, it } from 'vitest';
import { medianMs, registerBenchmark, selectBenchmarks } from '../../src/bench/registry.js';
import { ratioLines } from '../../src/bench/torchReference.js';

describe('benchmark registry', () => {
  it('selects by group or name and refuses duplicate names', async () => {
    const run = async () => ({ bench: 'x', impl: 'test', threads: 1, images_per_s: 1 });
    registerBenchmark({ name: 'demo-train-a', group: 'train', run });
    registerBenchmark({ name: 'demo-infer-b', group: 'infer', run });
    expect(selectBenchmarks(['train']).map((b) => b.name)).toContain('demo-train-a');
    expect(selectBenchmarks(['train']).map((b) => b.name)).not.toContain('demo-infer-b');
    expect(selectBenchmarks(['infer-b']).map((b) => b.name)).toEqual(['demo-infer-b']);
    expect(() => registerBenchmark({ name: 'demo-train-a', group: 'train', run })).toThrow('benchmark "demo-train-a" is already registered');
  });

  it('takes the median of the timed repetitions only', async () => {
    const delays = [50, 1, 2, 3];
    let calls = 0;
    const ms = await medianMs({ warmup: 1, steps: 3 }, () => new Promise((r) => setTimeout(r, delays[calls++])));
    expect(calls).toBe(4);
    expect(ms).toBeLessThan(40);
  });

  it('pairs data-parallel training with torch training at the same thread count', () => {
    const lines = ratioLines(
      [{ bench: 'train_step_data_parallel', impl: 'tfjs', threads: 2, images_per_s: 14 }],
      [
        { bench: 'train_step', impl: 'torch', threads: 1, images_per_s: 30 },
        { bench: 'train_step', impl: 'torch', threads: 2, images_per_s: 50 },
      ],
    );
    expect(lines).toHaveLength(1);
    expect(lines[0].ratio_to_torch).toBe(0.28);
    expect(lines[0].torch_images_per_s).toBe(50);
  });
});
