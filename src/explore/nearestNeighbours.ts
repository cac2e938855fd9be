/**
 * Exact k nearest neighbours (Euclidean) of a few query vectors over a stream of database vectors, by brute force:
 * each chunk of the database is compared with every query and only each query's best k so far are kept, so memory
 * is the queries plus k per query, whatever the database's size. Written by hand because the search must run over
 * shards read one at a time (usearch's exactSearch needs the whole database in one array); it is also the reference
 * the approximate index's recall is measured against.
 */
import { OptionError } from '../util/errors.js';

/** A neighbour: the database row (0-based position in the stream) and its Euclidean distance. */
export interface Neighbour {
  index: number;
  distance: number;
}

/** A chunk of the database: `vectors` holds (vectors.length / dimension) rows starting at row `offset`. */
export interface VectorChunk {
  offset: number;
  vectors: Float32Array;
}

export interface ExactKnnOptions {
  /** Neighbours per query. */
  k: number;
  /** Per query, a database row to leave out (the query galaxy itself), or -1. @default none */
  exclude?: ArrayLike<number>;
}

/** Accumulates the k nearest database rows of each query over chunks given in any order. */
export class ExactKnn {
  readonly dimension: number;
  readonly queries: number;
  readonly k: number;
  private readonly q: Float32Array;
  private readonly exclude: ArrayLike<number> | null;
  /** Per query, k squared distances ascending (Infinity = empty slot) and their rows. */
  private readonly best: Float64Array;
  private readonly rows: Int32Array;

  constructor(queries: Float32Array, dimension: number, options: ExactKnnOptions) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new OptionError('dimension', 'a positive integer', dimension);
    if (queries.length % dimension !== 0) throw new OptionError('queries', `a length that is a multiple of ${dimension}`, queries.length);
    if (!Number.isInteger(options.k) || options.k < 1) throw new OptionError('k', 'a positive integer', options.k);
    this.dimension = dimension;
    this.queries = queries.length / dimension;
    if (options.exclude !== undefined && options.exclude.length !== this.queries) throw new OptionError('exclude', `one row (or -1) per query (${this.queries})`, options.exclude.length);
    this.k = options.k;
    this.q = queries;
    this.exclude = options.exclude ?? null;
    this.best = new Float64Array(this.queries * this.k).fill(Infinity);
    this.rows = new Int32Array(this.queries * this.k).fill(-1);
  }

  add(chunk: VectorChunk): void {
    const d = this.dimension;
    const { vectors, offset } = chunk;
    if (vectors.length % d !== 0) throw new OptionError('vectors', `a length that is a multiple of ${d}`, vectors.length);
    const n = vectors.length / d;
    const k = this.k;
    for (let qi = 0; qi < this.queries; qi++) {
      const qBase = qi * d;
      const base = qi * k;
      const skip = this.exclude === null ? -1 : this.exclude[qi];
      let worst = this.best[base + k - 1];
      for (let i = 0; i < n; i++) {
        const row = offset + i;
        if (row === skip) continue;
        let s = 0;
        const vBase = i * d;
        for (let j = 0; j < d; j++) {
          const diff = vectors[vBase + j] - this.q[qBase + j];
          s += diff * diff;
          if (s >= worst) break;
        }
        if (s >= worst) continue;
        // Insert into the sorted list of k (ties keep the earlier row first).
        let at = k - 1;
        while (at > 0 && this.best[base + at - 1] > s) {
          this.best[base + at] = this.best[base + at - 1];
          this.rows[base + at] = this.rows[base + at - 1];
          at--;
        }
        this.best[base + at] = s;
        this.rows[base + at] = row;
        worst = this.best[base + k - 1];
      }
    }
  }

  /** Per query, its neighbours nearest first (fewer than k when the database is smaller). */
  result(): Neighbour[][] {
    return Array.from({ length: this.queries }, (_, qi) => {
      const out: Neighbour[] = [];
      for (let r = 0; r < this.k; r++) {
        const row = this.rows[qi * this.k + r];
        if (row >= 0) out.push({ index: row, distance: Math.sqrt(this.best[qi * this.k + r]) });
      }
      return out;
    });
  }
}

/** Exact neighbours of `queries` over a stream of chunks (see ExactKnn). */
export async function exactNeighbours(queries: Float32Array, dimension: number, chunks: AsyncIterable<VectorChunk> | Iterable<VectorChunk>, options: ExactKnnOptions): Promise<Neighbour[][]> {
  const knn = new ExactKnn(queries, dimension, options);
  for await (const chunk of chunks) knn.add(chunk);
  return knn.result();
}

/** Share of the exact neighbours an approximate search found, averaged over queries (recall@k). */
export function recallAtK(approximate: readonly (readonly Neighbour[])[], exact: readonly (readonly Neighbour[])[]): number {
  if (approximate.length !== exact.length || exact.length === 0) throw new OptionError('approximate', `one list per query (${exact.length})`, approximate.length);
  let total = 0;
  exact.forEach((truth, q) => {
    if (truth.length === 0) throw new OptionError(`exact[${q}]`, 'at least one neighbour', 0);
    const found = new Set(approximate[q].map((n) => n.index));
    total += truth.filter((n) => found.has(n.index)).length / truth.length;
  });
  return total / exact.length;
}
