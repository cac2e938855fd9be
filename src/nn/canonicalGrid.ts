/**
 * Canonical-coordinate sampling grids of the Equivariant Transformer (Tai et al. 2019). A grid has `rows` samples of
 * the v coordinate (down the rows) and `cols` samples of the u coordinate (along the columns); each (u, v) maps to a
 * Cartesian point (x, y) in the sampler's normalised coordinates (see `resample.ts`). In these coordinates the group
 * acts as a translation: rotating the image shifts the polar grid's rows, scaling it shifts the log-polar columns.
 *
 * - identity: x = u, y = v, u, v ∈ [−1, 1] (translation)
 * - polar: x = u cos v, y = u sin v, u ∈ [0, √2], v ∈ [−π, π) (rotation; v periodic)
 * - logPolar: x = eᵘ cos v, y = eᵘ sin v, u ∈ [−log cols, log 2 / 2], v ∈ [−π, π) (rotation and log-scale)
 *
 * A periodic axis has n samples over [start, start + period): v_i = −π + 2π i / n, so no angle repeats (an inclusive
 * linspace over [−π, π] would sample the same angle in the first and last rows). A non-periodic axis is an inclusive
 * linspace. Points are computed in double precision, so exact rotations by multiples of the angular step map grid
 * points onto grid points up to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { check, resolveOptions, type Spec } from '../util/options.js';

export const CANONICAL_GRID_KINDS = ['identity', 'polar', 'logPolar'] as const;
export type CanonicalGridKind = (typeof CANONICAL_GRID_KINDS)[number];

/** One axis of a canonical grid: sample i sits at start + i·step. */
export interface GridAxis {
  start: number;
  step: number;
  /** Number of samples. */
  n: number;
  /** True when the axis wraps around (an angle): sample n would coincide with sample 0. */
  periodic: boolean;
  /**
   * Half the axis span (the period for a periodic axis, last − first otherwise). A pose read out in normalised units,
   * where the axis spans [−1, 1], times `halfRange` is the pose in this coordinate.
   */
  halfRange: number;
}

export interface CanonicalGrid {
  kind: CanonicalGridKind;
  /** Along the columns. */
  u: GridAxis;
  /** Down the rows. */
  v: GridAxis;
  /** Cartesian (x, y) of every sample, row-major: [rows, cols, 2] flattened. */
  points: Float32Array;
}

export interface CanonicalGridOptions {
  kind: CanonicalGridKind;
  /** Samples of v (rows). */
  rows: number;
  /** Samples of u (columns). */
  cols: number;
}

const SPEC: Spec<CanonicalGridOptions> = {
  kind: check.oneOf(CANONICAL_GRID_KINDS),
  rows: check.integer(2),
  cols: check.integer(2),
};

export function canonicalGrid(options: CanonicalGridOptions): CanonicalGrid {
  const { kind, rows, cols } = resolveOptions<CanonicalGridOptions>({ kind: 'identity', rows: 2, cols: 2 }, SPEC, options);
  const [u, v, toCartesian] = axesOf(kind, rows, cols);
  const points = new Float32Array(rows * cols * 2);
  for (let i = 0; i < rows; i++) {
    const vi = v.start + i * v.step;
    for (let j = 0; j < cols; j++) {
      const [x, y] = toCartesian(u.start + j * u.step, vi);
      points[2 * (i * cols + j)] = x;
      points[2 * (i * cols + j) + 1] = y;
    }
  }
  return { kind, u, v, points };
}

/** The grid's points as a [1, rows, cols, 2] tensor (the caller owns it). */
export function gridTensor(grid: CanonicalGrid): tf.Tensor4D {
  return tf.tensor4d(grid.points, [1, grid.v.n, grid.u.n, 2]);
}

type ToCartesian = (u: number, v: number) => [number, number];

function axesOf(kind: CanonicalGridKind, rows: number, cols: number): [GridAxis, GridAxis, ToCartesian] {
  switch (kind) {
    case 'identity':
      return [linspace(-1, 1, cols), linspace(-1, 1, rows), (u, v) => [u, v]];
    case 'polar':
      return [linspace(0, Math.SQRT2, cols), angles(rows), (u, v) => [u * Math.cos(v), u * Math.sin(v)]];
    case 'logPolar':
      return [
        linspace(-Math.log(cols), Math.log(2) / 2, cols),
        angles(rows),
        (u, v) => [Math.exp(u) * Math.cos(v), Math.exp(u) * Math.sin(v)],
      ];
    default: {
      const never: never = kind;
      throw new Error(`unknown canonical grid ${String(never)}`);
    }
  }
}

function linspace(first: number, last: number, n: number): GridAxis {
  return { start: first, step: (last - first) / (n - 1), n, periodic: false, halfRange: (last - first) / 2 };
}

function angles(n: number): GridAxis {
  return { start: -Math.PI, step: (2 * Math.PI) / n, n, periodic: true, halfRange: Math.PI };
}
