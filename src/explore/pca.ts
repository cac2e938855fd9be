/**
 * Principal component analysis fitted over a stream of vectors, saved as JSON so that new galaxies are projected
 * exactly as the fitted ones (Walmsley et al. 2022: "the encoder's pooled features, compressed by incremental PCA").
 *
 *   const acc = new PcaAccumulator(dimension);
 *   for await (const shard of store.shards()) acc.add(shard.vectors);   // float64 sums, O(d²) memory
 *   const pca = acc.fit(40);                                             // eigen-decomposition (ml-matrix)
 *   pca.save(path); const same = Pca.load(path);
 *   const z = pca.project(vectors, 10);                                  // Float32Array n × 10
 *
 * The accumulator keeps the count, the sum and the sum of outer products of the vectors minus a shift (the first
 * vector seen), in float64: the covariance is then exact up to rounding without a second pass, and the shift keeps
 * the cancellation in Σxxᵀ − n·x̄x̄ᵀ small when the vectors share a large offset. The covariance's eigenvectors are the
 * principal axes (the same axes an SVD of the centred data gives); each is signed so its largest-magnitude entry is
 * positive, so a fit is reproducible across runs.
 */
import { readFileSync } from 'node:fs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { InputError, OptionError } from '../util/errors.js';

export const PCA_FORMAT = 'galmorph-pca';

/** The fitted transform, as saved. */
export interface PcaJson {
  format: typeof PCA_FORMAT;
  version: 1;
  dimension: number;
  /** Vectors the fit saw. */
  count: number;
  mean: number[];
  /** Principal axes, one row each (unit length), by decreasing variance. */
  components: number[][];
  /** Variance along each axis (sample variance, n − 1). */
  explainedVariance: number[];
  /** Share of the total variance along each axis. */
  explainedVarianceRatio: number[];
}

export class PcaAccumulator {
  readonly dimension: number;
  private n = 0;
  private shift: Float64Array | null = null;
  private readonly sum: Float64Array;
  /** Upper triangle (row-major, full d×d storage) of Σ (x − shift)(x − shift)ᵀ. */
  private readonly outer: Float64Array;

  constructor(dimension: number) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new OptionError('dimension', 'a positive integer', dimension);
    this.dimension = dimension;
    this.sum = new Float64Array(dimension);
    this.outer = new Float64Array(dimension * dimension);
  }

  get count(): number {
    return this.n;
  }

  /** Adds vectors given row-major (length a multiple of the dimension). */
  add(vectors: ArrayLike<number>): void {
    const d = this.dimension;
    if (vectors.length % d !== 0) throw new OptionError('vectors', `a length that is a multiple of the dimension ${d}`, vectors.length);
    const rows = vectors.length / d;
    if (rows === 0) return;
    if (this.shift === null) this.shift = Float64Array.from({ length: d }, (_, j) => vectors[j]);
    const shift = this.shift;
    const x = new Float64Array(d);
    const { sum, outer } = this;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) {
        x[j] = vectors[i * d + j] - shift[j];
        sum[j] += x[j];
      }
      for (let a = 0; a < d; a++) {
        const xa = x[a];
        if (xa === 0) continue;
        const row = a * d;
        for (let b = a; b < d; b++) outer[row + b] += xa * x[b];
      }
    }
    this.n += rows;
  }

  /** The mean and the sample covariance (float64, d × d) of the vectors added. */
  covariance(): { mean: Float64Array; covariance: Matrix } {
    const d = this.dimension;
    const n = this.n;
    if (n < 2 || this.shift === null) throw new InputError(`PCA needs at least 2 vectors, got ${n}`, {}, 'embed more galaxies');
    const m = new Float64Array(d);
    for (let j = 0; j < d; j++) m[j] = this.sum[j] / n;
    const cov = new Matrix(d, d);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const v = (this.outer[a * d + b] - n * m[a] * m[b]) / (n - 1);
        cov.set(a, b, v);
        cov.set(b, a, v);
      }
    }
    const mean = Float64Array.from(m, (v, j) => v + (this.shift as Float64Array)[j]);
    return { mean, covariance: cov };
  }

  /** The first `components` principal axes (at most the dimension and count − 1). */
  fit(components: number): Pca {
    const { mean, covariance } = this.covariance();
    const k = Math.min(components, this.dimension, this.n - 1);
    if (!Number.isInteger(components) || components < 1) throw new OptionError('components', 'a positive integer', components);
    const eig = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
    const values = eig.realEigenvalues;
    const vectors = eig.eigenvectorMatrix;
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
    const total = values.reduce((s, v) => s + Math.max(0, v), 0);
    const axes: number[][] = [];
    const variance: number[] = [];
    for (const i of order.slice(0, k)) {
      const axis = vectors.getColumn(i);
      let big = 0;
      for (let j = 1; j < axis.length; j++) if (Math.abs(axis[j]) > Math.abs(axis[big])) big = j;
      const sign = axis[big] < 0 ? -1 : 1;
      axes.push(axis.map((v) => v * sign));
      variance.push(Math.max(0, values[i]));
    }
    return new Pca({
      format: PCA_FORMAT, version: 1, dimension: this.dimension, count: this.n, mean: Array.from(mean), components: axes,
      explainedVariance: variance, explainedVarianceRatio: variance.map((v) => (total > 0 ? v / total : 0)),
    });
  }
}

export class Pca {
  readonly json: PcaJson;
  private readonly mean: Float64Array;
  private readonly axes: Float64Array;

  constructor(json: PcaJson) {
    this.json = json;
    this.mean = Float64Array.from(json.mean);
    this.axes = Float64Array.from(json.components.flat());
  }

  get dimension(): number {
    return this.json.dimension;
  }

  /** Number of fitted axes. */
  get components(): number {
    return this.json.components.length;
  }

  /** Fits on an in-memory matrix (row-major, `dimension` columns). */
  static fit(vectors: ArrayLike<number>, dimension: number, components: number): Pca {
    const acc = new PcaAccumulator(dimension);
    acc.add(vectors);
    return acc.fit(components);
  }

  /**
   * Coordinates of `vectors` (row-major, `dimension` columns) on the first `k` axes (default all): Float32Array
   * n × k. Refuses vectors of another dimension, naming both.
   */
  project(vectors: ArrayLike<number>, k = this.components): Float32Array {
    const d = this.dimension;
    if (!Number.isInteger(k) || k < 1 || k > this.components) throw new OptionError('components', `an integer in [1, ${this.components}] (the PCA was fitted with ${this.components})`, k);
    if (vectors.length % d !== 0) {
      throw new InputError(`vectors of length ${vectors.length} do not split into rows of the PCA's dimension ${d}`, {}, 'project embeddings made by the same model the PCA was fitted on');
    }
    const n = vectors.length / d;
    const out = new Float32Array(n * k);
    const centred = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) centred[j] = vectors[i * d + j] - this.mean[j];
      for (let c = 0; c < k; c++) {
        let s = 0;
        const row = c * d;
        for (let j = 0; j < d; j++) s += centred[j] * this.axes[row + j];
        out[i * k + c] = s;
      }
    }
    return out;
  }

  toJSON(): PcaJson {
    return this.json;
  }

  static fromJSON(raw: unknown, file = 'PCA'): Pca {
    const j = raw as Partial<PcaJson>;
    const bad = (what: string) => new InputError(`not a galmorph PCA: ${what}`, { file }, 'fit it again with galmorph embed (it writes pca.json)');
    if (j === null || typeof j !== 'object' || j.format !== PCA_FORMAT) throw bad(`"format" is not "${PCA_FORMAT}"`);
    const d = j.dimension;
    if (!Number.isInteger(d) || (d as number) < 1) throw bad('"dimension" is not a positive integer');
    if (!Array.isArray(j.mean) || j.mean.length !== d) throw bad(`"mean" does not have ${d} entries`);
    if (!Array.isArray(j.components) || j.components.length === 0 || j.components.some((c) => !Array.isArray(c) || c.length !== d || c.some((v) => !Number.isFinite(v)))) {
      throw bad(`"components" is not a list of axes of ${d} finite numbers`);
    }
    if (!Array.isArray(j.explainedVariance) || j.explainedVariance.length !== j.components.length) throw bad('"explainedVariance" does not have one entry per axis');
    return new Pca(j as PcaJson);
  }

  static load(path: string): Pca {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new InputError(`cannot read the PCA (${(e as Error).message})`, { file: path }, 'fit it again with galmorph embed (it writes pca.json)');
    }
    return Pca.fromJSON(raw, path);
  }
}
