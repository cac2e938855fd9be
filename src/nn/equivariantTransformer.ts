/**
 * Equivariant Transformer layers (Tai, Bailis, Valiant 2019) and a stack of them.
 *
 * One layer predicts the pose of one transformation group:
 *   canonical grid (warped by the transforms estimated so far) → bilinear resample of the input → pose CNN →
 *   soft-argmax readout per parameter (× the grid axis' half range) → 3×3 matrix → composed with the earlier ones.
 *
 * | group         | grid     | parameters (units)                               | matrix         |
 * | translation   | identity | tx (cols), ty (rows) — normalised image units    | translation    |
 * | rotation      | polar    | angle (rows, periodic) — radians                 | R(angle)       |
 * | scale         | logPolar | logScale (cols)                                  | e^logScale · I |
 * | rotationScale | logPolar | logScale (cols), angle (rows, periodic)          | e^logScale · R |
 *
 * The composed transform M = M₁·M₂·…·M_L: layer i sees the input sampled at M₁…M_{i−1}·g. The canonicalised image
 * reads the input at M·g (content transformed by M⁻¹); `renderObserved` maps a canonical image back by M⁻¹.
 * Equivariance by construction: if the input is rotated by a multiple of the polar grid's angular step times the
 * CNN's total stride, the predicted angle moves by exactly that rotation and the canonical image does not change.
 */
import * as tf from '@tensorflow/tfjs';
import { bilinearSample } from './resample.js';
import { canonicalGrid, gridTensor, type CanonicalGrid, type CanonicalGridKind, type GridAxis } from './canonicalGrid.js';
import { PoseCnn, POSE_CNN_DEFAULTS, checkOddKernel, checkStrides } from './poseCnn.js';
import { PoseReadout } from './poseReadout.js';
import {
  composeTransforms,
  invertTransforms,
  rotationMatrix,
  rotationScaleMatrix,
  scaleMatrix,
  translationMatrix,
  warpGrid,
} from './transformMatrix.js';
import { warpImage } from './warpImage.js';
import type { ParamScope } from './params.js';
import { check, resolveOptions, type Check, type Spec } from '../util/options.js';
import { OptionError } from '../util/errors.js';

export const ET_GROUPS = ['translation', 'rotation', 'scale', 'rotationScale'] as const;
export type EtGroup = (typeof ET_GROUPS)[number];

/** Per-layer pose parameters, each [B], in the units of the table above (use them for pose priors). */
export type LayerPose =
  | { group: 'translation'; tx: tf.Tensor1D; ty: tf.Tensor1D }
  | { group: 'rotation'; angle: tf.Tensor1D }
  | { group: 'scale'; logScale: tf.Tensor1D }
  | { group: 'rotationScale'; logScale: tf.Tensor1D; angle: tf.Tensor1D };

export type EtLayerOutput = {
  pose: LayerPose;
  /** This layer's transform alone, [B, 3, 3]. */
  matrix: tf.Tensor3D;
  /** Earlier transforms composed with this one, [B, 3, 3]. */
  transform: tf.Tensor3D;
  /** Readout heatmaps ([B, n]) of the parameters read along the columns (u) and rows (v). */
  heatmaps: { u?: tf.Tensor2D; v?: tf.Tensor2D };
};

export interface EtLayerOptions {
  group: EtGroup;
  /** @default 1 */
  inChannels?: number;
  /** Pose-CNN filters. @default 32 */
  nf?: number;
  /** Kernel of the pose CNN and of the readout 1-D convolution (odd). @default 5 */
  kernel?: number;
  /** Strides of the pose CNN's two convolutions. @default [2, 2] */
  strides?: [number, number];
  /** Canonical grid [rows, cols]; null samples it at the input's [H, W]. @default null */
  gridSize?: [number, number] | null;
}

type ResolvedLayerOptions = Required<EtLayerOptions>;

const checkGridSize: Check<[number, number] | null> = (value, name) => {
  if (value === null) return;
  if (!Array.isArray(value) || value.length !== 2 || value.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new OptionError(name, 'null or [rows, cols] with integers ≥ 2', value);
  }
};

const LAYER_DEFAULTS: ResolvedLayerOptions = { group: 'translation', inChannels: 1, ...POSE_CNN_DEFAULTS, gridSize: null };

const LAYER_SPEC: Spec<ResolvedLayerOptions> = {
  group: check.oneOf(ET_GROUPS),
  inChannels: check.integer(1),
  nf: check.integer(1),
  kernel: checkOddKernel,
  strides: checkStrides,
  gridSize: checkGridSize,
};

interface GroupSpec {
  grid: CanonicalGridKind;
  readsU: boolean;
  readsV: boolean;
}

const GROUP_SPECS: Record<EtGroup, GroupSpec> = {
  translation: { grid: 'identity', readsU: true, readsV: true },
  rotation: { grid: 'polar', readsU: false, readsV: true },
  scale: { grid: 'logPolar', readsU: true, readsV: false },
  rotationScale: { grid: 'logPolar', readsU: true, readsV: true },
};

export class EquivariantTransformerLayer {
  readonly options: ResolvedLayerOptions;
  private readonly name: string;
  private readonly spec: GroupSpec;
  private readonly cnn: PoseCnn;
  /** Readouts of the parameter along the columns (u) and along the rows (v), when the group has one. */
  private readonly readU: PoseReadout | null;
  private readonly readV: PoseReadout | null;

  constructor(scope: ParamScope, name: string, options: EtLayerOptions) {
    this.options = resolveOptions(LAYER_DEFAULTS, LAYER_SPEC, options);
    const { group, inChannels, nf, kernel, strides } = this.options;
    this.name = name;
    this.spec = GROUP_SPECS[group];
    const periodicV = this.spec.grid !== 'identity';
    const s = scope.scope(name);
    this.cnn = new PoseCnn(s, 'cnn', { inChannels, nf, kernel, strides, periodicRows: periodicV, periodicCols: false });
    this.readU = this.spec.readsU ? new PoseReadout(s, 'readU', { nf, kernel, axis: 'cols', periodic: false }) : null;
    this.readV = this.spec.readsV ? new PoseReadout(s, 'readV', { nf, kernel, axis: 'rows', periodic: periodicV }) : null;
  }

  /**
   * Predicts this layer's pose for `image` [B, H, W, C], given the transform `prior` [B, 3, 3] estimated by earlier
   * layers (null for the first layer).
   */
  apply(image: tf.Tensor4D, prior: tf.Tensor3D | null, training: boolean): EtLayerOutput {
    const grid = this.gridFor(image);
    return tf.tidy(() => {
      const base = gridTensor(grid);
      const points = prior === null ? base : warpGrid(base, prior);
      const features = this.cnn.apply(bilinearSample(image, points), training);
      const u = this.readU?.apply(features, this.featureStep(grid.u));
      const v = this.readV?.apply(features, this.featureStep(grid.v));
      const pose = poseOf(
        this.options.group,
        u ? (tf.mul(u.value, grid.u.halfRange) as tf.Tensor1D) : null,
        v ? (tf.mul(v.value, grid.v.halfRange) as tf.Tensor1D) : null,
      );
      const matrix = matrixOf(pose);
      const heatmaps: EtLayerOutput['heatmaps'] = {};
      if (u) heatmaps.u = u.heatmap;
      if (v) heatmaps.v = v.heatmap;
      return { pose, matrix, transform: prior === null ? matrix : composeTransforms(prior, matrix), heatmaps };
    });
  }

  /** The canonical grid this layer samples `image` on. */
  gridFor(image: tf.Tensor4D): CanonicalGrid {
    const [rows, cols] = this.options.gridSize ?? [image.shape[1], image.shape[2]];
    const stride = this.cnn.totalStride;
    if (this.spec.grid !== 'identity' && rows % stride !== 0) {
      const fixed = Math.ceil(rows / stride) * stride;
      throw new Error(
        `${this.name}: the ${this.spec.grid} grid has ${rows} angle rows, not a multiple of the pose CNN's total ` +
          `stride ${stride}, so the readout cannot cover exactly one turn — set gridSize to [${fixed}, ${cols}]`,
      );
    }
    return canonicalGrid({ kind: this.spec.grid, rows, cols });
  }

  /** Normalised distance between adjacent pose-CNN output positions along a grid axis. */
  private featureStep(axis: GridAxis): number {
    return (axis.step * this.cnn.totalStride) / axis.halfRange;
  }
}

function poseOf(group: EtGroup, u: tf.Tensor1D | null, v: tf.Tensor1D | null): LayerPose {
  const need = (t: tf.Tensor1D | null): tf.Tensor1D => {
    if (t === null) throw new Error(`equivariant transformer: the ${group} layer is missing a readout`);
    return t;
  };
  switch (group) {
    case 'translation':
      return { group, tx: need(u), ty: need(v) };
    case 'rotation':
      return { group, angle: need(v) };
    case 'scale':
      return { group, logScale: need(u) };
    case 'rotationScale':
      return { group, logScale: need(u), angle: need(v) };
    default: {
      const never: never = group;
      throw new Error(`unknown equivariant transformer group ${String(never)}`);
    }
  }
}

/** The 3×3 transform [B, 3, 3] of one layer's pose. */
export function matrixOf(pose: LayerPose): tf.Tensor3D {
  switch (pose.group) {
    case 'translation':
      return translationMatrix(pose.tx, pose.ty);
    case 'rotation':
      return rotationMatrix(pose.angle);
    case 'scale':
      return scaleMatrix(pose.logScale);
    case 'rotationScale':
      return rotationScaleMatrix(pose.logScale, pose.angle);
    default: {
      const never: never = pose;
      throw new Error(`unknown pose ${JSON.stringify(never)}`);
    }
  }
}

export interface ETStackOptions {
  /** @default 1 */
  inChannels?: number;
  /** Groups, applied in this order. @default ['translation', 'rotation'] */
  groups?: EtGroup[];
  /** Pose-CNN filters. @default 32 */
  nf?: number;
  /** Kernel of the pose CNNs and readouts (odd). @default 5 */
  kernel?: number;
  /** Strides of each pose CNN's two convolutions. @default [2, 2] */
  strides?: [number, number];
  /** Canonical grid [rows, cols] of every layer; null samples at the input's [H, W]. @default null */
  gridSize?: [number, number] | null;
}

export type ResolvedETStackOptions = Required<ETStackOptions>;

const checkGroups: Check<EtGroup[]> = (value, name) => {
  if (!Array.isArray(value) || value.length === 0 || value.some((g) => !ET_GROUPS.includes(g))) {
    throw new OptionError(name, `a non-empty list of ${ET_GROUPS.join(' | ')}`, value);
  }
};

export const ET_STACK_DEFAULTS: ResolvedETStackOptions = {
  inChannels: 1,
  groups: ['translation', 'rotation'],
  ...POSE_CNN_DEFAULTS,
  gridSize: null,
};

const STACK_SPEC: Spec<ResolvedETStackOptions> = {
  inChannels: check.integer(1),
  groups: checkGroups,
  nf: check.integer(1),
  kernel: checkOddKernel,
  strides: checkStrides,
  gridSize: checkGridSize,
};

export type ETStackOutput = {
  /** The composed transform M = M₁·…·M_L, [B, 3, 3]. */
  transform: tf.Tensor3D;
  /** One entry per layer, in order. */
  layers: EtLayerOutput[];
};

/** Several Equivariant Transformer layers applied in order, each on the input resampled by the earlier ones. */
export class ETStack {
  readonly options: ResolvedETStackOptions;
  readonly layers: EquivariantTransformerLayer[];

  constructor(scope: ParamScope, name: string, options: ETStackOptions = {}) {
    this.options = resolveOptions(ET_STACK_DEFAULTS, STACK_SPEC, options);
    const { groups, inChannels, nf, kernel, strides, gridSize } = this.options;
    const s = scope.scope(name);
    this.layers = groups.map(
      (group, i) => new EquivariantTransformerLayer(s, `${i}_${group}`, { group, inChannels, nf, kernel, strides, gridSize }),
    );
  }

  /** Predicts the pose of `image` [B, H, W, C]. */
  apply(image: tf.Tensor4D, training: boolean): ETStackOutput {
    return tf.tidy(() => {
      const layers: EtLayerOutput[] = [];
      let prior: tf.Tensor3D | null = null;
      for (const layer of this.layers) {
        const out = layer.apply(image, prior, training);
        layers.push(out);
        prior = out.transform;
      }
      return { transform: layers[layers.length - 1].transform, layers };
    });
  }

  /** The input in canonical pose: read at M·g on an identity grid of `outputSize` (default the input's size). */
  canonicalise(image: tf.Tensor4D, transform: tf.Tensor3D, outputSize?: [number, number]): tf.Tensor4D {
    return warpImage(image, transform, { outputSize });
  }

  /** A canonical-pose image (e.g. a decoder's output) back in the observed pose: read at M⁻¹·g. */
  renderObserved(canonical: tf.Tensor4D, transform: tf.Tensor3D, outputSize?: [number, number]): tf.Tensor4D {
    return tf.tidy(() => warpImage(canonical, invertTransforms(transform), { outputSize }));
  }
}
