import { describe, expect, it } from 'vitest';
import { runTorchReference } from '../../src/bench/torchReference.js';

describe('torch reference runner', () => {
  it('skips with the reason when the script is missing', () => {
    const run = runTorchReference('/nonexistent/torch_reference.py', 'train', [1], 1);
    expect(run.records).toEqual([]);
    expect(run.skipped).toBe('torch reference script not found at /nonexistent/torch_reference.py');
  });
});
