import { describe, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/initBackend.js';
import { vadeTaskSpec } from '../../src/models/vadeTask.js';
import { LocalTrainer } from '../../src/train/localTrainer.js';
import { Rng } from '../../src/util/rng.js';

const small = { imageSize: 16, filters: [4, 4, 4] as [number, number, number], kernels: [3, 3, 3] as [number, number, number], latentDim: 4, clusters: 2 };

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/**
 * Dark-sky galaxies in miniature: sky 0.02 plus a round Gaussian blob (peak 0.3–0.9, width 1.2–2.5 px) near the
 * centre, so most pixels are dark (mean intensity ≈ 0.08; the simulator's 32-px images average 0.06).
 */
function darkSky(n: number, side: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * side * side);
  for (let i = 0; i < n; i++) {
    const peak = 0.3 + 0.6 * rng.uniform();
    const width = 1.2 + 1.3 * rng.uniform();
    const cx = side / 2 - 1 + 2 * rng.uniform();
    const cy = side / 2 - 1 + 2 * rng.uniform();
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) out[(i * side + y) * side + x] = 0.02 + peak * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width ** 2));
    }
  }
  return out;
}

describe('VaDE decoder on dark-sky images', () => {
  // The first version (sigmoid output, squared error: reconstruction 'sigmoid-mse') fails this test the way the
  // simulator runs failed: after the same 80 steps its reconstructions are black (mean 0.0000, squared error = Σx²).
  it('after a short warm-up reconstructs the galaxies, not the black sky: mean intensity within 25% of the inputs\', squared error under a third of a black image\'s', async () => {
    const n = 16;
    const side = 16;
    const data = darkSky(n, side, 5);
    const batch = { size: n, arrays: { images: data }, shapes: { images: [side, side, 1] } };
    const trainer = await LocalTrainer.create(vadeTaskSpec({ model: { ...small, seed: 1 }, schedule: { warmupSteps: 1000, annealSteps: 0, staticSteps: 0, klWeight: 5e-4 } }),
      { kind: 'adam', learningRate: 3e-3, clipValue: 1 });
    for (let step = 0; step < 80; step++) await trainer.step(batch);
    const out = await trainer.predict('reconstruct', batch);
    const rec = out.data as Float32Array;
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    const black = Array.from(data).reduce((s, v) => s + v * v, 0) / n;
    const error = Array.from(data).reduce((s, v, i) => s + (v - rec[i]) ** 2, 0) / n;
    expect(mean(rec)).toBeGreaterThan(0.75 * mean(data));
    expect(mean(rec)).toBeLessThan(1.25 * mean(data));
    expect(error).toBeLessThan(black / 3);
    await trainer.dispose();
  });
});

