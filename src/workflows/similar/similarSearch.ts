/**
 * Nearest neighbours of query galaxies in a SearchSpace: exact (a streaming brute-force pass over the shards) up to
 * a size threshold, beyond it through an HNSW index (usearch) built once from the stream and cached beside the
 * embeddings, memory-mapped when searched. With the index, the recall of its neighbours against the exact ones is
 * measured on a seeded random sample of the store's galaxies (and on the queries themselves), so every approximate
 * answer comes with how approximate it was.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { temporarySibling, writeFileAtomically } from '../../util/atomicFile.js';
import { Rng } from '../../util/rng.js';
import { exactNeighbours, recallAtK, type Neighbour } from '../../explore/nearestNeighbours.js';
import { HNSW_DEFAULTS, HnswIndex } from '../../explore/hnswIndex.js';
import type { SearchSpace } from './similarSpace.js';

export const SEARCH_METHODS = ['auto', 'exact', 'hnsw'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

export interface SearchOptions {
  k: number;
  method: SearchMethod;
  /** 'auto' searches exactly up to this many galaxies. */
  exactLimit: number;
  /** Random galaxies whose exact and approximate neighbours are compared (recall) when the index is used. */
  recallQueries: number;
  seed: number;
  log: (line: string) => void;
}

export interface SearchOutcome {
  neighbours: Neighbour[][];
  method: 'exact' | 'hnsw';
  /** Recall@k of the index on the random sample and on the queries (null for exact search). */
  recall: { sample: number; sampleQueries: number; queries: number } | null;
  indexFile: string | null;
  indexBuildSeconds: number | null;
  searchSeconds: number;
}

interface IndexMeta {
  count: number;
  components: number;
  storeCreatedAt: string;
  connectivity: number;
  expansionAdd: number;
}

/** The store's cached index for this PCA size, built (and saved atomically) when absent or stale. */
async function openIndex(space: SearchSpace, log: (line: string) => void): Promise<{ index: HnswIndex; file: string; buildSeconds: number | null }> {
  const dir = join(space.store.dir, 'index');
  const file = join(dir, `hnsw-pca${space.components}.usearch`);
  const metaFile = `${file}.json`;
  const want: IndexMeta = { count: space.count, components: space.components, storeCreatedAt: space.store.manifest.createdAt, connectivity: HNSW_DEFAULTS.connectivity, expansionAdd: HNSW_DEFAULTS.expansionAdd };
  if (existsSync(file) && existsSync(metaFile) && JSON.stringify(JSON.parse(readFileSync(metaFile, 'utf8'))) === JSON.stringify(want)) {
    log(`HNSW index: ${file} (cached)`);
    return { index: HnswIndex.view(file, space.components), file, buildSeconds: null };
  }
  const started = Date.now();
  const index = new HnswIndex(space.components);
  for await (const chunk of space.chunks()) index.add(chunk);
  mkdirSync(dir, { recursive: true });
  // usearch writes the index file itself, so only its name is shared with atomicFile.ts.
  const temp = temporarySibling(file);
  index.save(temp);
  renameSync(temp, file);
  writeFileAtomically(metaFile, JSON.stringify(want));
  const buildSeconds = (Date.now() - started) / 1000;
  log(`HNSW index of ${space.count} galaxies built in ${buildSeconds.toFixed(1)} s: ${file}`);
  return { index: HnswIndex.view(file, space.components), file, buildSeconds };
}

/** The k nearest galaxies of each query (row-major PCA coordinates); `exclude[q]` is query q's own row or -1. */
export async function searchNeighbours(space: SearchSpace, queries: Float32Array, exclude: number[], o: SearchOptions): Promise<SearchOutcome> {
  const c = space.components;
  const useIndex = o.method === 'hnsw' || (o.method === 'auto' && space.count > o.exactLimit);
  if (!useIndex) {
    const started = Date.now();
    const neighbours = await exactNeighbours(queries, c, space.chunks(), { k: o.k, exclude });
    return { neighbours, method: 'exact', recall: null, indexFile: null, indexBuildSeconds: null, searchSeconds: (Date.now() - started) / 1000 };
  }
  const { index, file, buildSeconds } = await openIndex(space, o.log);
  const started = Date.now();
  const neighbours = index.search(queries, o.k, exclude);
  const searchSeconds = (Date.now() - started) / 1000;
  // Recall: a seeded sample of the store's galaxies as extra queries; one exact pass answers them and the queries.
  const sampleSize = Math.min(o.recallQueries, space.count);
  const rng = Rng.derive(o.seed, 'recall');
  const sampleRows = new Set<number>();
  while (sampleRows.size < sampleSize) sampleRows.add(Math.floor(rng.uniform() * space.count));
  const sorted = [...sampleRows].sort((a, b) => a - b);
  const sampleCoords = new Float32Array(sorted.length * c);
  const position = new Map(sorted.map((row, i) => [row, i]));
  for await (const chunk of space.chunks()) {
    const n = chunk.vectors.length / c;
    for (let i = 0; i < n; i++) {
      const at = position.get(chunk.offset + i);
      if (at !== undefined) sampleCoords.set(chunk.vectors.subarray(i * c, (i + 1) * c), at * c);
    }
  }
  const allQueries = new Float32Array(queries.length + sampleCoords.length);
  allQueries.set(queries);
  allQueries.set(sampleCoords, queries.length);
  const allExclude = [...exclude, ...sorted];
  const exact = await exactNeighbours(allQueries, c, space.chunks(), { k: o.k, exclude: allExclude });
  const approxSample = index.search(sampleCoords, o.k, sorted);
  const q = exclude.length;
  const recall = {
    sample: sorted.length > 0 ? recallAtK(approxSample, exact.slice(q)) : NaN,
    sampleQueries: sorted.length,
    queries: recallAtK(neighbours, exact.slice(0, q)),
  };
  o.log(`HNSW recall@${o.k} vs exact: ${recall.sample.toFixed(4)} on ${sorted.length} random galaxies, ${recall.queries.toFixed(4)} on the ${q} queries`);
  return { neighbours, method: 'hnsw', recall, indexFile: file, indexBuildSeconds: buildSeconds, searchSeconds };
}
