/**
 * Noiseless, unblurred light of one galaxy body: Sérsic bulge + exponential disk, with optional logarithmic
 * spiral arms, a bar, a ring, an edge-on dust lane and lopsided (tidal) distortion — added into a square
 * float image in counts. The radial profiles (bulge, disk, ring, arm phase and taper) are tabulated once per
 * galaxy on a fine radius grid and interpolated linearly, so the per-pixel loop has no transcendental calls
 * except for bars and dust lanes, which are evaluated only where they are non-negligible.
 */
import type { Morphology } from './morphology.js';
import { sersicB, sersicIe } from './sersic.js';

const DEG = Math.PI / 180;
/** 1 / mean of ((1 + cos φ) / 2)³ over φ (= 16/5): normalises the arm modulation so it conserves disk flux. */
const ARM_PROFILE_SCALE = 16 / 5;
/** Radial lookup tables have this many intervals per pixel of extent, within [MIN_STEPS, MAX_STEPS]. */
const STEPS_PER_PIXEL = 8;
const MIN_STEPS = 96;
const MAX_STEPS = 1024;
/** Radial tables, reused by every call (rendering is synchronous, so one set suffices). */
const TABLES = {
  bulgeTab: new Float64Array(MAX_STEPS + 2),
  diskTab: new Float64Array(MAX_STEPS + 2),
  armCos: new Float64Array(MAX_STEPS + 2),
  armSin: new Float64Array(MAX_STEPS + 2),
  armTaper: new Float64Array(MAX_STEPS + 2),
};
/** ∫ exp(−x⁴) dx over the real line = 2 Γ(5/4). */
const QUARTIC_INTEGRAL = 1.8128049541109541;
/** Smallest radius (pixels) at which the bulge profile is evaluated, taming the cusp of high-n profiles. */
const BULGE_CORE = 0.02;
/** Pixels whose centre lies within this distance (pixels) of the bulge centre are integrated on a sub-grid. */
const CUSP_RADIUS = 1.6;
/** Sub-samples per axis inside CUSP_RADIUS. */
const CUSP_SUBSAMPLES = 6;

export type BodyLight = Pick<
  Morphology,
  | 'centreX'
  | 'centreY'
  | 'totalFlux'
  | 'bulgeFraction'
  | 'sersicIndex'
  | 'bulgeRadius'
  | 'bulgeAxisRatio'
  | 'diskScale'
  | 'axisRatio'
  | 'positionAngle'
  | 'arms'
  | 'pitchAngle'
  | 'winding'
  | 'armStrength'
  | 'armPhase'
  | 'barStrength'
  | 'barLength'
  | 'barAngle'
  | 'ringStrength'
  | 'ringRadius'
  | 'dustLane'
  | 'disturbance'
>;

/** The structure of a plain body (companions, merger partners): no arms, bar, ring or dust lane. */
export const NO_STRUCTURE = {
  arms: 0,
  pitchAngle: 0,
  winding: 'none',
  armStrength: 0,
  barStrength: 0,
  barLength: 0,
  barAngle: 0,
  ringStrength: 0,
  ringRadius: 0,
  dustLane: 0,
} as const satisfies Partial<BodyLight>;

/**
 * Adds the body's light to `img` (size × size, row-major, row 0 at the top). `diskLightFraction` of the body's
 * disk light goes into the smooth components here; the caller splats the rest (clumps) itself. Pixels where
 * every component is fainter than `floor` counts are skipped (pass a small fraction of the sky noise).
 */
export function addBodyLight(img: Float32Array, size: number, b: BodyLight, floor: number, diskLightFraction = 1): void {
  const cosPa = Math.cos(b.positionAngle * DEG);
  const sinPa = Math.sin(b.positionAngle * DEG);

  const bulgeFlux = b.totalFlux * b.bulgeFraction;
  const hasBulge = bulgeFlux > 0 && b.bulgeRadius > 0;
  const n = b.sersicIndex;
  const bn = sersicB(n);
  const ie = hasBulge ? sersicIe(bulgeFlux, n, b.bulgeRadius, b.bulgeAxisRatio) : 0;
  const invQb = 1 / b.bulgeAxisRatio;

  const diskFlux = b.totalFlux * (1 - b.bulgeFraction) * diskLightFraction;
  const hasDisk = diskFlux > 0 && b.diskScale > 0;
  const q = b.axisRatio;
  const invQ = 1 / q;
  const h = b.diskScale;
  const barFlux = hasDisk && b.barStrength > 0 ? diskFlux * b.barStrength : 0;
  const ringFlux = hasDisk && b.ringStrength > 0 ? diskFlux * b.ringStrength : 0;
  const i0 = hasDisk ? (diskFlux - barFlux - ringFlux) / (2 * Math.PI * h * h * q) : 0;

  // Bar: exp(−(x/L)⁴ − (y/W)²) in the disk plane.
  const barL = b.barLength;
  const barW = 0.28 * barL;
  const cosBar = Math.cos(b.barAngle * DEG);
  const sinBar = Math.sin(b.barAngle * DEG);
  const iBar = barFlux > 0 ? barFlux / (QUARTIC_INTEGRAL * barL * barW * Math.sqrt(Math.PI) * q) : 0;
  const invBarL = barFlux > 0 ? 1 / barL : 0;
  const invBarW = barFlux > 0 ? 1 / barW : 0;

  // Ring: Gaussian annulus exp(−((r − R)/w)²) in the disk plane.
  const ringR = b.ringRadius;
  const ringW = 0.15 * ringR + 0.3 * h;
  const iRing = ringFlux > 0 ? ringFlux / (2 * Math.PI * ringR * ringW * Math.sqrt(Math.PI) * q) : 0;

  // Logarithmic spiral arms: brightness ∝ ((1 + cos m(θ − θ_arm(r)))/2)³, θ_arm = θ₀ ± ln(r)/tan(pitch).
  const m = b.arms;
  const hasArms = hasDisk && m > 0 && b.armStrength > 0;
  const turn = hasArms ? (b.winding === 'S' ? -1 : 1) / Math.tan(b.pitchAngle * DEG) : 0;
  const armInner = Math.max(barFlux > 0 ? barL : 0, 0.6 * h, 1);
  // Arms leave from the bar ends when there is a bar.
  const theta0 = barFlux > 0 ? b.barAngle * DEG - turn * Math.log(armInner + 0.5) : b.armPhase * DEG;
  const armA = b.armStrength;

  // Edge-on dust lane, slightly off the mid-plane, across the disk.
  const dust = hasDisk ? b.dustLane : 0;
  const laneW = Math.max(0.45, 0.35 * q * h);
  const invLaneW = 1 / laneW;
  const laneOffset = 0.25 * laneW;
  const invLaneLen = hasDisk ? 1 / (3 * h) : 0;

  // Lopsidedness towards a fixed direction (derived from the arm phase).
  const lop = hasDisk ? b.disturbance * 0.6 : 0;
  const cosLop = Math.cos(b.armPhase * DEG * 1.7);
  const sinLop = Math.sin(b.armPhase * DEG * 1.7);

  // Radial tables out to where the light drops below `floor` or leaves the image (the steep centre of the
  // bulge is integrated directly, see cuspPixel).
  const reach = Math.hypot(Math.max(b.centreX, size - b.centreX), Math.max(b.centreY, size - b.centreY));
  const bulgeExtent =
    hasBulge && ie > floor ? Math.min(b.bulgeRadius * Math.pow(1 + Math.log(ie / floor) / bn, n), reach * invQb) : 0;
  const diskExtent = hasDisk
    ? Math.min(
        Math.max(i0 > floor ? h * Math.log(i0 / floor) : 0, iRing > 0 ? ringR + 3 * ringW : 0, iBar > 0 ? barL : 0),
        reach * invQ,
      )
    : 0;
  const steps = Math.min(MAX_STEPS, Math.max(MIN_STEPS, Math.ceil(STEPS_PER_PIXEL * Math.max(bulgeExtent, diskExtent))));
  const bulgeStep = bulgeExtent / steps;
  const diskStep = diskExtent / steps;
  const { bulgeTab, diskTab, armCos, armSin, armTaper } = TABLES;
  bulgeTab.fill(0, 0, steps + 2);
  diskTab.fill(0, 0, steps + 2);
  for (let k = 0; k <= steps; k++) {
    if (hasBulge) {
      const rho = Math.max(k * bulgeStep, BULGE_CORE) / b.bulgeRadius;
      bulgeTab[k] = ie * Math.exp(-bn * (Math.pow(rho, 1 / n) - 1));
    }
    if (hasDisk) {
      const r = k * diskStep;
      const dr = (r - ringR) / ringW;
      diskTab[k] = i0 * Math.exp(-r / h) + (iRing > 0 ? iRing * Math.exp(-dr * dr) : 0);
      if (hasArms) {
        const phase = m * (theta0 + turn * Math.log(r + 0.5));
        armCos[k] = Math.cos(phase);
        armSin[k] = Math.sin(phase);
        armTaper[k] = armA * (1 - Math.exp(-(r * r) / (armInner * armInner)));
      }
    }
  }
  const invBulgeStep = bulgeStep > 0 ? 1 / bulgeStep : 0;
  const invDiskStep = diskStep > 0 ? 1 / diskStep : 0;

  const extent = Math.max(bulgeExtent, diskExtent, 1);
  const x0 = Math.max(0, Math.floor(b.centreX - extent));
  const x1 = Math.min(size, Math.ceil(b.centreX + extent));
  const y0 = Math.max(0, Math.floor(b.centreY - extent));
  const y1 = Math.min(size, Math.ceil(b.centreY + extent));

  for (let j = y0; j < y1; j++) {
    const Y = b.centreY - (j + 0.5);
    const row = j * size;
    for (let i = x0; i < x1; i++) {
      const X = i + 0.5 - b.centreX;
      const u = X * cosPa + Y * sinPa;
      const v = -X * sinPa + Y * cosPa;
      let value = 0;
      if (bulgeStep > 0) {
        if (X * X + Y * Y < CUSP_RADIUS * CUSP_RADIUS) {
          value = cuspPixel(X, Y, cosPa, sinPa, invQb, ie, bn, n, b.bulgeRadius);
        } else {
          const vb = v * invQb;
          const t = Math.sqrt(u * u + vb * vb) * invBulgeStep;
          const k = t | 0;
          if (k < steps) value = bulgeTab[k] + (t - k) * (bulgeTab[k + 1] - bulgeTab[k]);
        }
      }
      if (diskStep > 0) {
        const vd = v * invQ;
        const r = Math.sqrt(u * u + vd * vd);
        const t = r * invDiskStep;
        const k = t | 0;
        if (k < steps) {
          const f = t - k;
          let disk = diskTab[k] + f * (diskTab[k + 1] - diskTab[k]);
          if (hasArms && r > 0) {
            // cos(mθ), sin(mθ) by complex powers of (u + i·vd)/r; then cos(mθ − phase(r)).
            const cu = u / r;
            const su = vd / r;
            let cm = cu;
            let sm = su;
            for (let p = 1; p < m; p++) {
              const c2 = cm * cu - sm * su;
              sm = sm * cu + cm * su;
              cm = c2;
            }
            const pc = armCos[k] + f * (armCos[k + 1] - armCos[k]);
            const ps = armSin[k] + f * (armSin[k + 1] - armSin[k]);
            const taper = armTaper[k] + f * (armTaper[k + 1] - armTaper[k]);
            const c = 0.5 + 0.5 * (cm * pc + sm * ps);
            disk *= 1 - taper + taper * ARM_PROFILE_SCALE * c * c * c;
          }
          if (lop > 0) disk *= 1 + (lop * (u * cosLop + vd * sinLop)) / (h + r);
          value += disk;
        }
        if (iBar > 0) {
          const ub = (u * cosBar + vd * sinBar) * invBarL;
          const wb = (-u * sinBar + vd * cosBar) * invBarW;
          const ub2 = ub * ub;
          const e = ub2 * ub2 + wb * wb;
          if (e < 30) value += iBar * Math.exp(-e);
        }
      }
      if (dust > 0) {
        const dv = (v - laneOffset) * invLaneW;
        const du = u * invLaneLen;
        const e = dv * dv + du * du;
        if (e < 12) value *= 1 - dust * Math.exp(-e);
      }
      img[row + i] += value;
    }
  }
}

/** Mean Sérsic surface brightness over the pixel centred at (X, Y), on a CUSP_SUBSAMPLES² sub-grid. */
function cuspPixel(X: number, Y: number, cosPa: number, sinPa: number, invQb: number, ie: number, bn: number, n: number, re: number): number {
  let sum = 0;
  for (let sy = 0; sy < CUSP_SUBSAMPLES; sy++) {
    const y = Y + (sy + 0.5) / CUSP_SUBSAMPLES - 0.5;
    for (let sx = 0; sx < CUSP_SUBSAMPLES; sx++) {
      const x = X + (sx + 0.5) / CUSP_SUBSAMPLES - 0.5;
      const u = x * cosPa + y * sinPa;
      const v = (-x * sinPa + y * cosPa) * invQb;
      const rho = Math.max(Math.sqrt(u * u + v * v), BULGE_CORE) / re;
      sum += Math.exp(-bn * (Math.pow(rho, 1 / n) - 1));
    }
  }
  return (ie * sum) / (CUSP_SUBSAMPLES * CUSP_SUBSAMPLES);
}
