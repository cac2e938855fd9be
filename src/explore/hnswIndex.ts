/**
 * Approximate nearest neighbours through usearch's HNSW graph (Euclidean, float32), keyed by database row: built
 * from a stream of chunks (the vectors are copied into the native index, not kept in JavaScript), saved to a file
 * and memory-mapped back (`view`), so a search over millions of galaxies needs neither the vectors nor the ids in
 * the JavaScript heap.
 */
import usearch from 'usearch';
import { OptionError } from '../util/errors.js';
import type { Neighbour, VectorChunk } from './nearestNeighbours.js';

const { Index, MetricKind, ScalarKind } = usearch;

export interface HnswOptions {
  /** Graph edges per node (M). @default 16 */
  connectivity: number;
  /** Candidate list while inserting (efConstruction). @default 128 */
  expansionAdd: number;
  /** Candidate list while searching (ef); larger is slower and finds more of the true neighbours. @default 64 */
  expansionSearch: number;
}

export const HNSW_DEFAULTS: HnswOptions = { connectivity: 16, expansionAdd: 128, expansionSearch: 64 };

export class HnswIndex {
  readonly dimension: number;
  private readonly index: InstanceType<typeof Index>;

  constructor(dimension: number, options: Partial<HnswOptions> = {}) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new OptionError('dimension', 'a positive integer', dimension);
    const o = { ...HNSW_DEFAULTS, ...options };
    this.dimension = dimension;
    this.index = new Index({
      dimensions: dimension, metric: MetricKind.L2sq, quantization: ScalarKind.F32,
      connectivity: o.connectivity, expansion_add: o.expansionAdd, expansion_search: o.expansionSearch, multi: false,
    });
  }

  get size(): number {
    return this.index.size();
  }

  add(chunk: VectorChunk): void {
    const n = chunk.vectors.length / this.dimension;
    if (!Number.isInteger(n)) throw new OptionError('vectors', `a length that is a multiple of ${this.dimension}`, chunk.vectors.length);
    if (n === 0) return;
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = BigInt(chunk.offset + i);
    this.index.add(keys, chunk.vectors, 0);
  }

  /** The k nearest rows of each query (row-major `queries`), leaving out row `exclude[q]` of query q. */
  search(queries: Float32Array, k: number, exclude?: ArrayLike<number>): Neighbour[][] {
    const d = this.dimension;
    const count = queries.length / d;
    if (!Number.isInteger(count) || count === 0) throw new OptionError('queries', `a non-empty length that is a multiple of ${d}`, queries.length);
    const ask = Math.min(k + (exclude === undefined ? 0 : 1), Math.max(1, this.size));
    const matches = this.index.search(queries, ask, 0) as unknown as { keys: BigUint64Array; distances: Float32Array; counts: BigUint64Array };
    return Array.from({ length: count }, (_, q) => {
      const found = Number(matches.counts[q]);
      const out: Neighbour[] = [];
      for (let r = 0; r < found && out.length < k; r++) {
        const index = Number(matches.keys[q * ask + r]);
        if (exclude !== undefined && index === exclude[q]) continue;
        out.push({ index, distance: Math.sqrt(Math.max(0, matches.distances[q * ask + r])) });
      }
      return out;
    });
  }

  save(path: string): void {
    this.index.save(path);
  }

  /** An index memory-mapped from a saved file (read-only). */
  static view(path: string, dimension: number, options: Partial<HnswOptions> = {}): HnswIndex {
    const index = new HnswIndex(dimension, options);
    index.index.view(path);
    return index;
  }
}
