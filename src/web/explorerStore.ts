/**
 * One embeddings store as the explorer sees it: its galaxies' ids and PCA coordinates (the search space of
 * `galmorph similar`, at most 10 components), their pictures (by id, through the catalog the store records; the
 * client never names an image path), their catalog rows (the volunteers' votes), nearest neighbours (the same search
 * as `galmorph similar`) and the neighbours of an outside image, embedded with the store's own encoder and PCA.
 */
import sharp from 'sharp';
import { readCatalog } from '../data/catalogRead.js';
import { locateCatalog, readCatalogTable, type CatalogTable, type Cell } from '../data/catalogTable.js';
import { loadImage } from '../data/image.js';
import type { FitsStretch } from '../data/preprocess.js';
import { getSchema } from '../data/schemas/index.js';
import { InputError } from '../util/errors.js';
import { openEncoder, type Encoder } from '../workflows/embed/embedEncoder.js';
import { storeEncoder } from '../workflows/similar/similar.js';
import { SearchSpace } from '../workflows/similar/similarSpace.js';
import { searchNeighbours } from '../workflows/similar/similarSearch.js';
import { catalogImagePaths } from '../workflows/similar/thumbnails.js';
import type { RunInfo } from './explorerRuns.js';

/** PCA components of the neighbour search (Walmsley et al. 2022; `galmorph similar`'s default). */
export const SEARCH_COMPONENTS = 10;
/** Thumbnails kept in memory per store (PNG bytes, a few kB each). */
const THUMBNAIL_CACHE = 20_000;

export interface Neighbour {
  id: string;
  distance: number;
}

export class StoreView {
  readonly run: RunInfo;
  readonly space: SearchSpace;
  readonly ids: string[];
  readonly indexOfId: Map<string, number>;
  /** The catalog the store was embedded from (null when it records none). */
  readonly catalog: string | null;
  private readonly crop: number;
  private readonly allowAbsolutePaths: boolean;
  private images: Promise<Map<string, string>> | null = null;
  private table: Promise<{ table: CatalogTable; rowOfId: Map<string, number> }> | null = null;
  private encoder: Encoder | null = null;
  private readonly thumbnails = new Map<string, Buffer>();

  private constructor(run: RunInfo, space: SearchSpace, ids: string[], allowAbsolutePaths: boolean) {
    this.run = run;
    this.space = space;
    this.ids = ids;
    this.indexOfId = new Map(ids.map((id, i) => [id, i]));
    this.catalog = space.store.manifest.catalog ?? null;
    this.crop = (space.embedConfig()?.preprocessing as { crop?: number } | undefined)?.crop ?? 1;
    this.allowAbsolutePaths = allowAbsolutePaths;
  }

  static async open(run: RunInfo, allowAbsolutePaths: boolean): Promise<StoreView> {
    const pcaComponents = new SearchSpace(run.dir, 1).pca.components;
    const space = new SearchSpace(run.dir, Math.min(SEARCH_COMPONENTS, pcaComponents));
    const ids: string[] = [];
    for await (const shard of space.store.shards()) for (const id of shard.ids) ids.push(id);
    return new StoreView(run, space, ids, allowAbsolutePaths);
  }

  /** The galaxy's row in the store, or an InputError naming the id. */
  index(id: string): number {
    const i = this.indexOfId.get(id);
    if (i === undefined) throw new InputError(`galaxy "${id}" is not in the embeddings store ${this.run.name}`, {}, 'pick a galaxy of this store (ids are matched exactly, as text)');
    return i;
  }

  private imagePaths(): Promise<Map<string, string>> {
    if (this.catalog === null) return Promise.resolve(new Map());
    this.images ??= catalogImagePaths(this.catalog, this.allowAbsolutePaths);
    return this.images;
  }

  /** A PNG thumbnail of the galaxy (RGB, the embed run's crop; FITS with the given stretch). */
  async thumbnail(id: string, size: number, stretch: FitsStretch): Promise<Buffer> {
    this.index(id);
    const key = `${id}\0${size}\0${stretch}`;
    const cached = this.thumbnails.get(key);
    if (cached !== undefined) return cached;
    const path = (await this.imagePaths()).get(id);
    if (path === undefined) throw new InputError(`galaxy "${id}" has no image in the catalog`, { file: this.catalog ?? this.run.dir }, 'the store records no catalog, or the catalog lacks this row');
    const image = await loadImage(path, { size, crop: this.crop, colour: 'rgb', stretch });
    const pixels = Buffer.alloc(image.data.length);
    for (let k = 0; k < pixels.length; k++) pixels[k] = Math.round(255 * Math.min(1, Math.max(0, image.data[k])));
    const png = await sharp(pixels, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
    if (this.thumbnails.size >= THUMBNAIL_CACHE) this.thumbnails.delete(this.thumbnails.keys().next().value as string);
    this.thumbnails.set(key, png);
    return png;
  }

  /** The catalog's table and each galaxy's row in it (read once), or null when the store records no catalog. */
  private catalogTable(): Promise<{ table: CatalogTable; rowOfId: Map<string, number> }> | null {
    if (this.catalog === null) return null;
    const catalog = this.catalog;
    this.table ??= (async () => {
      const table = await readCatalogTable(locateCatalog(catalog).file);
      const read = await readCatalog(catalog, { schema: getSchema('gz2'), labelKind: 'none', checkImages: false, onBad: 'error', allowAbsolutePaths: this.allowAbsolutePaths });
      return { table, rowOfId: new Map(read.rows.map((r, k) => [r.id, k])) };
    })();
    return this.table;
  }

  /** The catalog's column names (none without a catalog). */
  async catalogColumns(): Promise<string[]> {
    return (await this.catalogTable())?.table.header ?? [];
  }

  /** A catalog column's cell of each of `ids` (null where missing or empty). */
  async catalogColumn(column: string, ids: readonly string[]): Promise<(string | null)[]> {
    const loaded = await this.catalogTable();
    const j = loaded?.table.header.indexOf(column) ?? -1;
    if (loaded === null || j < 0) throw new InputError(`no column "${column}" in the catalog`, { file: this.catalog ?? this.run.dir }, 'choose a column of the catalog');
    return ids.map((id) => {
      const r = loaded.rowOfId.get(id);
      const cell = r === undefined ? null : loaded.table.rows[r][j];
      return cell === null || cell === undefined || cell === '' ? null : String(cell);
    });
  }

  /** The galaxy's catalog row (column → cell), or null when the store records no catalog or the catalog lacks it. */
  async catalogRow(id: string): Promise<Record<string, Cell> | null> {
    const loaded = await this.catalogTable();
    if (loaded === null) return null;
    const { table, rowOfId } = loaded;
    const r = rowOfId.get(id);
    if (r === undefined) return null;
    return Object.fromEntries(table.header.map((name, j) => [name, table.rows[r][j] ?? null]));
  }

  /** The k nearest galaxies of a store galaxy (itself left out), as `galmorph similar --id`. */
  async neighbours(id: string, k: number): Promise<Neighbour[]> {
    const { rows, coords } = await this.space.locate([id]);
    return this.search(coords, rows, k);
  }

  /** The k nearest galaxies of an image file outside the store, embedded as `galmorph similar --image` does. */
  async neighboursOfImage(path: string, k: number): Promise<Neighbour[]> {
    this.encoder ??= openEncoder(storeEncoder(this.space));
    const image = await loadImage(path, this.encoder.preprocessing);
    const vector = this.encoder.embed(image.data, [1, image.height, image.width, image.channels]);
    return this.search(this.space.pca.project(vector, this.space.components), [-1], k);
  }

  private async search(coords: Float32Array, exclude: number[], k: number): Promise<Neighbour[]> {
    const outcome = await searchNeighbours(this.space, coords, exclude, { k, method: 'auto', exactLimit: 200_000, recallQueries: 0, seed: 0, log: () => undefined });
    return outcome.neighbours[0].map((n) => ({ id: this.ids[n.index], distance: n.distance }));
  }

  dispose(): void {
    this.encoder?.dispose();
    this.encoder = null;
  }
}
