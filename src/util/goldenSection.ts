/**
 * Maximises a function of one variable on a closed interval: a coarse grid locates the best bracket, then golden-
 * section search narrows it to `tolerance`. Derivative-free and deterministic.
 *
 * Written by hand because none of the kept libraries installed here offers a bounded scalar optimiser (ml-matrix is
 * linear algebra; @stdlib's packages here are special functions and distributions), and the method is a dozen lines.
 * The grid first makes it robust to a function that is flat over most of the interval (e.g. a likelihood in a
 * concentration that barely changes beyond some value) where plain golden section could stop in the flat part.
 */
import { InputError } from './errors.js';

export interface GoldenSectionOptions {
  /** Grid points over [lower, upper] scanned before the golden-section search. @default 25 */
  gridPoints: number;
  /** Width of the final bracket. @default 1e-4 */
  tolerance: number;
}

export interface GoldenSectionResult {
  /** The maximiser found. */
  x: number;
  /** f(x). */
  value: number;
  /** Function evaluations used. */
  evaluations: number;
}

/** The x in [lower, upper] that maximises f (a local maximum within the best grid bracket). */
export function maximiseOnInterval(
  f: (x: number) => number, lower: number, upper: number, options: Partial<GoldenSectionOptions> = {},
): GoldenSectionResult {
  const gridPoints = options.gridPoints ?? 25;
  const tolerance = options.tolerance ?? 1e-4;
  if (!(Number.isFinite(lower) && Number.isFinite(upper) && lower < upper)) {
    throw new InputError(`maximiseOnInterval: the interval [${lower}, ${upper}] must be finite with lower < upper`);
  }
  if (!(Number.isInteger(gridPoints) && gridPoints >= 3)) throw new InputError(`maximiseOnInterval: gridPoints ${gridPoints}, expected an integer ≥ 3`);
  if (!(tolerance > 0)) throw new InputError(`maximiseOnInterval: tolerance ${tolerance}, expected > 0`);
  let evaluations = 0;
  const g = (x: number): number => {
    evaluations += 1;
    const v = f(x);
    if (Number.isNaN(v)) throw new InputError(`maximiseOnInterval: the function is NaN at x = ${x}`);
    return v;
  };
  const step = (upper - lower) / (gridPoints - 1);
  const grid = Array.from({ length: gridPoints }, (_, i) => (i === gridPoints - 1 ? upper : lower + i * step));
  const values = grid.map(g);
  let best = 0;
  for (let i = 1; i < gridPoints; i++) if (values[i] > values[best]) best = i;
  let a = grid[Math.max(0, best - 1)];
  let b = grid[Math.min(gridPoints - 1, best + 1)];
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = g(c);
  let fd = g(d);
  while (b - a > tolerance) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = g(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = g(d);
    }
  }
  // The grid point itself may beat the interior points (a maximum at an end of the interval).
  const candidates: [number, number][] = [[grid[best], values[best]], [c, fc], [d, fd]];
  const [x, value] = candidates.reduce((m, p) => (p[1] > m[1] ? p : m));
  return { x, value, evaluations };
}
