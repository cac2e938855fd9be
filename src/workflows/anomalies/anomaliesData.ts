/**
 * The inputs of `galmorph anomalies`: every galaxy of an embeddings store projected on the store's saved PCA
 * (pca.json, written by `galmorph embed`; fitted here over the shards, streamed, when the store has none) — the
 * first `components` standardised (zero mean, unit variance per component, scikit-learn's StandardScaler) for the
 * GP, the first `baselineComponents` as they are for the isolation forest, as the reference does — and, from a
 * catalog, each galaxy's image and the simulated rater's column.
 *
 * Memory: the projections of all N galaxies, N × (components + baselineComponents) float32 (1M galaxies × 50 =
 * 200 MB); the store itself is read one shard at a time.
 */
import { existsSync } from 'node:fs';
import { EMBEDDINGS_PCA_FILE, EmbeddingStore } from '../../data/embeddingStore.js';
import { Pca, PcaAccumulator } from '../../explore/pca.js';
import { readCatalog } from '../../data/catalogRead.js';
import { readCatalogTable, locateCatalog, type Cell } from '../../data/catalogTable.js';
import { InputError } from '../../util/errors.js';
import { MAX_RATING } from './anomaliesRatings.js';

export interface ProjectedGalaxies {
  ids: string[];
  /** id → index. */
  indexOfId: Map<string, number>;
  /** N × gpDimension, standardised PCA coordinates. */
  gpInputs: Float32Array;
  gpDimension: number;
  /** N × baselineDimension, PCA coordinates (not standardised). */
  baselineInputs: Float32Array;
  baselineDimension: number;
  /** Where the PCA came from. */
  pcaSource: string;
  /** Share of the embedding variance in the GP's and the baseline's components. */
  varianceExplained: { gp: number; baseline: number };
}

/** Projects every galaxy of the store (see the module comment); `onShard` is called after each shard. */
export async function projectStore(store: EmbeddingStore, components: number, baselineComponents: number, onShard?: (done: number) => void): Promise<ProjectedGalaxies> {
  const pcaPath = store.pcaPath;
  let pca: Pca;
  let pcaSource: string;
  if (existsSync(pcaPath)) {
    pca = Pca.load(pcaPath);
    pcaSource = pcaPath;
    if (pca.dimension !== store.dimension) {
      throw new InputError(`the PCA is of dimension ${pca.dimension} but the embeddings are of dimension ${store.dimension}`, { file: pcaPath }, 'run galmorph embed again into a fresh --out folder');
    }
  } else {
    const acc = new PcaAccumulator(store.dimension);
    for await (const shard of store.shards()) acc.add(shard.vectors);
    pca = acc.fit(Math.max(components, baselineComponents));
    pcaSource = `fitted over the ${store.count} embeddings (the store has no ${EMBEDDINGS_PCA_FILE})`;
  }
  const k = Math.min(components, pca.components);
  const kb = Math.min(baselineComponents, pca.components);
  const n = store.count;
  const gpInputs = new Float32Array(n * k);
  const baselineInputs = new Float32Array(n * kb);
  const ids: string[] = [];
  for await (const shard of store.shards()) {
    const z = pca.project(shard.vectors, Math.max(k, kb));
    const width = Math.max(k, kb);
    const rows = shard.ids.length;
    for (let r = 0; r < rows; r++) {
      const i = shard.offset + r;
      for (let c = 0; c < k; c++) gpInputs[i * k + c] = z[r * width + c];
      for (let c = 0; c < kb; c++) baselineInputs[i * kb + c] = z[r * width + c];
    }
    for (const id of shard.ids) ids.push(id);
    onShard?.(shard.offset + rows);
  }
  standardise(gpInputs, k);
  const indexOfId = new Map<string, number>();
  ids.forEach((id, i) => {
    if (indexOfId.has(id)) throw new InputError(`galaxy "${id}" appears twice in the embeddings`, { file: store.dir }, 'embed a catalog with unique ids');
    indexOfId.set(id, i);
  });
  const ratio = pca.json.explainedVarianceRatio;
  const share = (m: number) => ratio.slice(0, m).reduce((s, v) => s + v, 0);
  return { ids, indexOfId, gpInputs, gpDimension: k, baselineInputs, baselineDimension: kb, pcaSource, varianceExplained: { gp: share(k), baseline: share(kb) } };
}

/** In place: each column to zero mean and unit (population) variance; a constant column becomes 0. */
export function standardise(x: Float32Array, d: number): void {
  const n = x.length / d;
  for (let c = 0; c < d; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + c];
    const mean = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * d + c] - mean) ** 2;
    const sd = Math.sqrt(ss / n);
    for (let i = 0; i < n; i++) x[i * d + c] = sd > 0 ? (x[i * d + c] - mean) / sd : 0;
  }
}

export interface RaterColumnOptions {
  column: string;
  /** interest = round-half-even(scale × value), as numpy's around. */
  scale: number;
  /** anomaly = value > threshold. */
  threshold: number;
}

/** Per store galaxy: its image (absolute path) and, with a rater column, its interest and anomaly label. */
export interface CatalogSide {
  source: string;
  images: string[];
  rater: { column: string; values: Float64Array; interest: Int32Array; anomaly: Uint8Array; anomalies: number } | null;
}

/** Rounds half to even (numpy's `around`, which the reference's interest = around(5 × fraction) used). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Reads the catalog's images for every galaxy of `ids` and, with `rater`, the rater column. Refuses (naming file, row
 * and column) an unknown column, a galaxy of the embeddings missing from the catalog, and a value that is missing or
 * gives an interest outside 0–5.
 */
export async function readCatalogSide(path: string, ids: readonly string[], rater: RaterColumnOptions | null, allowAbsolutePaths: boolean): Promise<CatalogSide> {
  const { file } = locateCatalog(path);
  const table = await readCatalogTable(file);
  let column = -1;
  if (rater !== null) {
    column = table.header.indexOf(rater.column);
    if (column < 0) {
      throw new InputError(`no column "${rater.column}" for the simulated rater`, { file }, `choose --rater-column among: ${table.header.join(', ')}`);
    }
  }
  // Same file, read with onBad 'error': its rows are the table's rows in order.
  const catalog = await readCatalog(path, { labelKind: 'none', checkImages: false, onBad: 'error', allowAbsolutePaths });
  const rowOfId = new Map<string, number>();
  catalog.rows.forEach((row, r) => rowOfId.set(row.id, r));
  const missing = ids.filter((id) => !rowOfId.has(id));
  if (missing.length > 0) {
    throw new InputError(`${missing.length} of the ${ids.length} galaxies of the embeddings are not in the catalog (first: ${missing.slice(0, 5).map((m) => `"${m}"`).join(', ')})`, { file },
      'pass the catalog the embeddings were made from');
  }
  const images = ids.map((id) => catalog.rows[rowOfId.get(id) as number].image);
  if (rater === null) return { source: file, images, rater: null };
  const values = new Float64Array(ids.length);
  const interest = new Int32Array(ids.length);
  const anomaly = new Uint8Array(ids.length);
  let anomalies = 0;
  ids.forEach((id, i) => {
    const r = rowOfId.get(id) as number;
    const cell: Cell | undefined = table.rows[r][column];
    const v = typeof cell === 'number' ? cell : cell === null || cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
    const where = { file, row: table.rowNumbers[r], column: rater.column };
    if (!Number.isFinite(v)) throw new InputError(`galaxy "${id}" has no number in the rater column (${JSON.stringify(cell)})`, where, 'every galaxy of the embeddings needs a value');
    const score = roundHalfEven(rater.scale * v);
    if (score < 0 || score > MAX_RATING) {
      throw new InputError(`galaxy "${id}": the simulated rating round(${rater.scale} × ${v}) = ${score} is outside 0–${MAX_RATING}`, where,
        `choose --rater-scale so that scale × value lies in [0, ${MAX_RATING}] (a vote fraction with --rater-scale 5)`);
    }
    values[i] = v;
    interest[i] = score;
    anomaly[i] = v > rater.threshold ? 1 : 0;
    anomalies += anomaly[i];
  });
  return { source: file, images, rater: { column: rater.column, values, interest, anomaly, anomalies } };
}
