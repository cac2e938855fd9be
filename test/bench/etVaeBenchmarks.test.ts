import { describe, expect, it } from 'vitest';
import { etRatioLines, labelledBatch } from '../../src/bench/etVaeBenchmarks.js';
import type { BenchmarkRecord } from '../../src/bench/registry.js';

const record = (name: string, model: string, threads: number, ms: number, cpu: number): BenchmarkRecord => ({
  bench: 'table1_train_step', impl: 'x', name, model, threads, images_per_s: 16000 / ms, ms_per_step: ms, cpu_ms_per_step: cpu,
});

describe('Table 1 model benchmarks', () => {
  it('builds a labelled batch: 64 px images in [0, 1] and 40 votes per galaxy', () => {
    const batch = labelledBatch(3);
    expect(batch.shapes).toEqual({ images: [64, 64, 1], counts: [3] });
    expect(batch.arrays.images).toHaveLength(3 * 64 * 64);
    expect(batch.arrays.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    for (let i = 0; i < 3; i++) expect(batch.arrays.counts.slice(3 * i, 3 * i + 3).reduce((a, b) => a + b)).toBe(40);
  });

  it('compares every ET record with the plain CNN of the same thread count, in wall and CPU time', () => {
    const lines = etRatioLines([
      record('plain-cnn-train-1', 'plain-cnn', 1, 100, 80),
      record('plain-cnn-train-2', 'plain-cnn', 2, 60, 90),
      record('et-vae-train-1', 'et-vae', 1, 250, 120),
      record('et-supervised-train-2', 'et-supervised', 2, 90, 99),
    ]);
    expect(lines).toEqual([
      { ratio: 'et-vae-train-1 vs plain-cnn (1 thread(s))', et_ms_per_step: 250, plain_cnn_ms_per_step: 100, step_time_ratio: 2.5, cpu_time_ratio: 1.5 },
      { ratio: 'et-supervised-train-2 vs plain-cnn (2 thread(s))', et_ms_per_step: 90, plain_cnn_ms_per_step: 60, step_time_ratio: 1.5, cpu_time_ratio: 1.1 },
    ]);
  });
});
