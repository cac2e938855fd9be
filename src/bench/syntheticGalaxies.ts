/**
 * Synthetic elliptical "galaxies" in [0, 1] for benchmarks (the recipe of the bench README's yardstick):
 * a Sérsic-like profile with random centre, angle, axis ratio and radius, plus uniform noise.
 */
import { Rng } from '../util/rng.js';

export function syntheticGalaxies(count: number, size = 64, seed = 7): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count * size * size);
  for (let k = 0; k < count; k++) {
    const cx = 28 + 8 * rng.uniform();
    const cy = 28 + 8 * rng.uniform();
    const angle = Math.PI * rng.uniform();
    const q = 0.3 + 0.7 * rng.uniform();
    const re = 3 + 8 * rng.uniform();
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const u = dx * c + dy * s;
        const w = (-dx * s + dy * c) / q;
        const r = Math.sqrt(u * u + w * w) / re;
        const v = Math.exp(-2 * (Math.sqrt(r) - 1)) * 0.05 + 0.03 * (rng.uniform() - 0.5);
        out[(k * size + y) * size + x] = Math.min(1, Math.max(0, v));
      }
    }
  }
  return out;
}
