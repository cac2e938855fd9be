/**
 * Isolation forest (Liu, Ting & Zhou 2008), the baseline of personalised anomaly finding (the reference runs
 * scikit-learn's `IsolationForest(n_estimators=100)` on 10 PCA components): each tree splits a random subsample of
 * ψ = min(256, n) points on a random feature at a uniform random value between that feature's minimum and maximum
 * at the node, down to ⌈log₂ ψ⌉ levels; a point's anomaly score is 2^(−E[h(x)] / c(ψ)), h its depth in a tree plus
 * c(size of the leaf it lands in), c(m) the average path length of an unsuccessful binary-search-tree search
 * (scikit-learn's `_average_path_length`). Higher is more anomalous; the ranking equals scikit-learn's by
 * −decision_function.
 *
 * Written here rather than taken from npm: `ml-isolation-forest` 0.1.0 grows every tree on the whole data set (no
 * subsampling) and keeps each leaf's rows; `isolation-forest` 0.0.9 draws a subsample and then builds the tree from
 * the whole data anyway; both use unseeded Math.random. This one is seeded and stores trees in flat typed arrays.
 */
import { InputError, OptionError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

export interface IsolationForestOptions {
  /** Trees. @default 100 */
  trees: number;
  /** Points drawn (without replacement) for each tree; capped at the data size. @default 256 */
  sampleSize: number;
  /** Seed of the subsamples and splits. @default 0 */
  seed: number;
}

const DEFAULTS: IsolationForestOptions = { trees: 100, sampleSize: 256, seed: 0 };
const EULER_GAMMA = 0.5772156649015329;

/** c(m): the average path length of an unsuccessful search in a binary search tree of m points. */
export function averagePathLength(m: number): number {
  if (m <= 1) return 0;
  if (m === 2) return 1;
  return 2 * (Math.log(m - 1) + EULER_GAMMA) - (2 * (m - 1)) / m;
}

/** One tree in flat arrays; node 0 is the root; a leaf has feature −1 and the count of sample points it holds. */
interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaves: c(points in the leaf), added to the depth. */
  leafCorrection: Float64Array;
}

export class IsolationForest {
  readonly dimension: number;
  readonly sampleSize: number;
  private readonly trees: Tree[];

  private constructor(dimension: number, sampleSize: number, trees: Tree[]) {
    this.dimension = dimension;
    this.sampleSize = sampleSize;
    this.trees = trees;
  }

  /** Grows the forest on `x` (n × d, row-major). */
  static fit(x: ArrayLike<number>, d: number, options: Partial<IsolationForestOptions> = {}): IsolationForest {
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.trees) || o.trees < 1) throw new OptionError('trees', 'a positive integer', o.trees);
    if (!Number.isInteger(o.sampleSize) || o.sampleSize < 2) throw new OptionError('sampleSize', 'an integer ≥ 2', o.sampleSize);
    if (!Number.isInteger(d) || d < 1 || x.length % d !== 0) throw new OptionError('x', `rows of ${d} values`, x.length);
    const n = x.length / d;
    if (n < 2) throw new InputError(`an isolation forest needs at least 2 points, got ${n}`);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new InputError(`value ${i} (row ${Math.floor(i / d)}) is not finite (${x[i]})`);
    const psi = Math.min(o.sampleSize, n);
    const heightLimit = Math.ceil(Math.log2(psi));
    const rng = new Rng(o.seed);
    const pool = Uint32Array.from({ length: n }, (_, i) => i);
    const trees: Tree[] = [];
    for (let t = 0; t < o.trees; t++) {
      // partial Fisher–Yates: the first psi entries of pool become a uniform subsample without replacement
      for (let i = 0; i < psi; i++) {
        const j = i + rng.int(n - i);
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      trees.push(growTree(x, d, pool.slice(0, psi), heightLimit, rng));
    }
    return new IsolationForest(d, psi, trees);
  }

  /** Anomaly scores 2^(−E[h] / c(ψ)) in (0, 1] of `x` (rows of the fitted dimension); higher = more isolated. */
  score(x: ArrayLike<number>): Float64Array {
    const d = this.dimension;
    if (x.length % d !== 0) throw new OptionError('x', `rows of ${d} values (the forest's dimension)`, x.length);
    const n = x.length / d;
    const out = new Float64Array(n);
    const norm = averagePathLength(this.sampleSize);
    for (let i = 0; i < n; i++) {
      let total = 0;
      for (const tree of this.trees) {
        let node = 0;
        let depth = 0;
        while (tree.feature[node] >= 0) {
          node = x[i * d + tree.feature[node]] < tree.threshold[node] ? tree.left[node] : tree.right[node];
          depth++;
        }
        total += depth + tree.leafCorrection[node];
      }
      out[i] = Math.pow(2, -total / this.trees.length / norm);
    }
    return out;
  }
}

function growTree(x: ArrayLike<number>, d: number, sample: Uint32Array, heightLimit: number, rng: Rng): Tree {
  const capacity = 2 * sample.length - 1;
  const feature = new Int32Array(capacity).fill(-1);
  const threshold = new Float64Array(capacity);
  const left = new Int32Array(capacity);
  const right = new Int32Array(capacity);
  const leafCorrection = new Float64Array(capacity);
  let nodes = 1;
  // each stack entry: node id, its points (a slice of `sample`, partitioned in place), depth
  const stack: { node: number; start: number; end: number; depth: number }[] = [{ node: 0, start: 0, end: sample.length, depth: 0 }];
  const lo = new Float64Array(d);
  const hi = new Float64Array(d);
  while (stack.length > 0) {
    const { node, start, end, depth } = stack.pop() as { node: number; start: number; end: number; depth: number };
    const size = end - start;
    if (depth >= heightLimit || size <= 1) {
      leafCorrection[node] = averagePathLength(size);
      continue;
    }
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let k = start; k < end; k++) {
      const row = sample[k] * d;
      for (let c = 0; c < d; c++) {
        const v = x[row + c];
        if (v < lo[c]) lo[c] = v;
        if (v > hi[c]) hi[c] = v;
      }
    }
    // a random feature among those that vary here (all equal: the node cannot be split)
    const varying: number[] = [];
    for (let c = 0; c < d; c++) if (hi[c] > lo[c]) varying.push(c);
    if (varying.length === 0) {
      leafCorrection[node] = averagePathLength(size);
      continue;
    }
    const f = varying[rng.int(varying.length)];
    let split = rng.range(lo[f], hi[f]);
    if (split <= lo[f]) split = (lo[f] + hi[f]) / 2; // rng.range can return lo exactly: keep both sides non-empty
    let mid = start;
    for (let k = start; k < end; k++) {
      if (x[sample[k] * d + f] < split) {
        [sample[k], sample[mid]] = [sample[mid], sample[k]];
        mid++;
      }
    }
    feature[node] = f;
    threshold[node] = split;
    left[node] = nodes++;
    right[node] = nodes++;
    stack.push({ node: left[node], start, end: mid, depth: depth + 1 }, { node: right[node], start: mid, end, depth: depth + 1 });
  }
  return { feature, threshold, left, right, leafCorrection };
}
