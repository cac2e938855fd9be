import { describe, expect, it } from 'vitest';
import { addBodyLight, type BodyLight } from '../../../src/data/simulator/galaxyLight.js';
import { blurSeparable, moffatKernel } from '../../../src/data/simulator/psf.js';
import { Rng } from '../../../src/util/rng.js';

function body(over: Partial<BodyLight>): BodyLight {
  return {
    centreX: 64, centreY: 64, totalFlux: 1e5, bulgeFraction: 0, sersicIndex: 4, bulgeRadius: 0, bulgeAxisRatio: 1,
    diskScale: 5, axisRatio: 1, positionAngle: 0, arms: 0, pitchAngle: 0, winding: 'none', armStrength: 0, armPhase: 0,
    barStrength: 0, barLength: 0, barAngle: 0, ringStrength: 0, ringRadius: 0, dustLane: 0, disturbance: 0, ...over,
  };
}

/** Second moments about the light-weighted centre, with y pointing up the screen. */
function moments(img: Float32Array, size: number): { q: number; paDeg: number; mxx: number; myy: number; mxy: number } {
  let s = 0, sx = 0, sy = 0;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    const w = img[j * size + i];
    s += w; sx += w * (i + 0.5); sy += w * -(j + 0.5);
  }
  const cx = sx / s, cy = sy / s;
  let mxx = 0, myy = 0, mxy = 0;
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) {
    const w = img[j * size + i] / s;
    const dx = i + 0.5 - cx, dy = -(j + 0.5) - cy;
    mxx += w * dx * dx; myy += w * dy * dy; mxy += w * dx * dy;
  }
  return { ...axes(mxx, myy, mxy), mxx, myy, mxy };
}

function axes(mxx: number, myy: number, mxy: number): { q: number; paDeg: number } {
  const tr = (mxx + myy) / 2, d = Math.sqrt(((mxx - myy) / 2) ** 2 + mxy ** 2);
  const pa = ((0.5 * Math.atan2(2 * mxy, mxx - myy) * 180) / Math.PI + 180) % 180;
  return { q: Math.sqrt((tr - d) / (tr + d)), paDeg: pa };
}

function angleDiff(a: number, b: number): number {
  const d = (((a - b) % 180) + 180) % 180;
  return Math.min(d, 180 - d);
}

describe('addBodyLight', () => {
  const size = 128;

  it('recovers axis ratio and position angle of noiseless exponential disks from image moments', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 12; t++) {
      const q = rng.range(0.2, 0.85);
      const pa = rng.range(0, 180);
      const img = new Float32Array(size * size);
      addBodyLight(img, size, body({ axisRatio: q, positionAngle: pa, diskScale: rng.range(3, 6) }), 1e-6);
      const m = moments(img, size);
      expect(Math.abs(m.q - q)).toBeLessThan(0.02);
      expect(angleDiff(m.paDeg, pa)).toBeLessThan(1.5);
    }
  });

  it('recovers them through the PSF once the kernel variance is removed', () => {
    const rng = new Rng(12);
    for (let t = 0; t < 6; t++) {
      const q = rng.range(0.3, 0.8);
      const pa = rng.range(0, 180);
      const img = new Float32Array(size * size);
      addBodyLight(img, size, body({ axisRatio: q, positionAngle: pa, diskScale: 4, bulgeFraction: 0.3, bulgeRadius: 1.5, bulgeAxisRatio: q, sersicIndex: 2 }), 1e-6);
      const kernel = moffatKernel(2.5, 3);
      blurSeparable(img, size, kernel);
      const r = (kernel.length - 1) / 2;
      let variance = 0;
      kernel.forEach((w, k) => (variance += w * (k - r) ** 2));
      const m = moments(img, size);
      const corrected = axes(m.mxx - variance, m.myy - variance, m.mxy);
      expect(Math.abs(corrected.q - q)).toBeLessThan(0.03);
      expect(angleDiff(corrected.paDeg, pa)).toBeLessThan(2);
      // Without the correction the PSF makes the galaxy measurably rounder.
      expect(m.q - q).toBeGreaterThan(0.01);
    }
  });

  it('puts the requested total flux into the image for contained bulges and disks', () => {
    for (const over of [
      { bulgeFraction: 1, sersicIndex: 1, bulgeRadius: 4, bulgeAxisRatio: 0.7 },
      { bulgeFraction: 1, sersicIndex: 2.5, bulgeRadius: 3, bulgeAxisRatio: 0.8 },
      { bulgeFraction: 0, diskScale: 4, axisRatio: 0.5, barStrength: 0.3, barLength: 5, barAngle: 30, ringStrength: 0.3, ringRadius: 9 },
    ]) {
      const img = new Float32Array(size * size);
      addBodyLight(img, size, body(over), 1e-6);
      const total = img.reduce((s, x) => s + x, 0);
      expect(Math.abs(total / 1e5 - 1)).toBeLessThan(0.02);
    }
  });

  it('winds Z arms counter-clockwise and S arms clockwise (as viewed) going outward, at the set pitch', () => {
    const pitch = 25;
    const r1 = 6, r2 = 9;
    const expected = Math.log((r2 + 0.5) / (r1 + 0.5)) / Math.tan((pitch * Math.PI) / 180);
    for (const winding of ['Z', 'S'] as const) {
      const img = new Float32Array(size * size);
      addBodyLight(img, size, body({ diskScale: 8, arms: 2, pitchAngle: pitch, winding, armStrength: 0.95, armPhase: 40 }), 1e-6);
      const ridge = (r: number): number => {
        let best = -1, bestAngle = 0;
        for (let k = 0; k < 720; k++) {
          const a = (k / 720) * Math.PI; // m = 2: the pattern repeats every π
          const i = Math.floor(64 + r * Math.cos(a)), j = Math.floor(64 - r * Math.sin(a));
          if (img[j * size + i] > best) { best = img[j * size + i]; bestAngle = a; }
        }
        return bestAngle;
      };
      let d = ridge(r2) - ridge(r1);
      while (d > Math.PI / 2) d -= Math.PI;
      while (d <= -Math.PI / 2) d += Math.PI;
      const sign = winding === 'Z' ? 1 : -1;
      expect(Math.abs(d - sign * expected)).toBeLessThan(0.2);
    }
  });
});
