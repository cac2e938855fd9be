/**
 * The search space of `galmorph similar` (and the map): an embeddings store seen through its saved PCA — every
 * galaxy's first `components` PCA coordinates, streamed shard by shard — plus the look-ups the commands need:
 * rows of given ids, ids of given rows (reading only the shards that hold them), the embed run's settings (to embed
 * an outside image the same way), and the catalog the galaxies came from (for their pictures).
 */
import { existsSync } from 'node:fs';
import { InputError } from '../../util/errors.js';
import { EMBEDDINGS_PCA_FILE as PCA_FILE, EmbeddingStore } from '../../data/embeddingStore.js';
import { Pca } from '../../explore/pca.js';
import type { VectorChunk } from '../../explore/nearestNeighbours.js';

/** A shard's galaxies in PCA space. */
export interface ProjectedChunk extends VectorChunk {
  ids: string[];
}

export class SearchSpace {
  readonly store: EmbeddingStore;
  readonly pca: Pca;
  readonly components: number;

  constructor(dir: string, components: number) {
    this.store = EmbeddingStore.open(dir);
    const pcaPath = this.store.pcaPath;
    if (!existsSync(pcaPath)) throw new InputError(`no ${PCA_FILE} beside the embeddings`, { file: dir }, 'embed the catalog with galmorph embed (it fits and saves the PCA)');
    this.pca = Pca.load(pcaPath);
    if (this.pca.dimension !== this.store.dimension) {
      throw new InputError(`${PCA_FILE} was fitted on ${this.pca.dimension}-d vectors but the embeddings are ${this.store.dimension}-d`, { file: pcaPath }, 'embed again: the PCA and the embeddings must come from the same run');
    }
    if (components > this.pca.components) {
      throw new InputError(`${components} PCA components asked but ${PCA_FILE} has ${this.pca.components}`, { file: pcaPath }, `use --components ${this.pca.components} or less, or embed again with a larger --pca`);
    }
    this.components = components;
  }

  get count(): number {
    return this.store.count;
  }

  /** Every galaxy's PCA coordinates, one shard at a time. */
  async *chunks(): AsyncGenerator<ProjectedChunk> {
    for await (const shard of this.store.shards()) {
      yield { offset: shard.offset, ids: shard.ids, vectors: this.pca.project(shard.vectors, this.components) };
    }
  }

  /** All galaxies' coordinates in memory (refused above `maxRows`). */
  async loadAll(maxRows: number): Promise<{ ids: string[]; coords: Float32Array }> {
    if (this.count > maxRows) throw new InputError(`${this.count} galaxies is more than ${maxRows} to hold in memory`, { file: this.store.dir }, 'use a smaller catalog');
    const ids: string[] = [];
    const coords = new Float32Array(this.count * this.components);
    for await (const chunk of this.chunks()) {
      for (const id of chunk.ids) ids.push(id);
      coords.set(chunk.vectors, chunk.offset * this.components);
    }
    return { ids, coords };
  }

  /**
   * Rows and PCA coordinates of `ids`, streaming until all are found; an id the store lacks is an InputError
   * naming it (and `file` — the ids file — when given).
   */
  async locate(ids: readonly string[], file?: string): Promise<{ rows: number[]; coords: Float32Array }> {
    const wanted = new Map<string, number[]>();
    ids.forEach((id, q) => wanted.set(id, [...(wanted.get(id) ?? []), q]));
    const rows = new Array<number>(ids.length).fill(-1);
    const coords = new Float32Array(ids.length * this.components);
    let left = wanted.size;
    for (let s = 0; s < this.store.manifest.shards.length && left > 0; s++) {
      const shard = await this.store.readShard(s);
      shard.ids.forEach((id, i) => {
        const queries = wanted.get(id);
        if (queries === undefined) return;
        const projected = this.pca.project(shard.vectors.subarray(i * this.store.dimension, (i + 1) * this.store.dimension), this.components);
        for (const q of queries) {
          rows[q] = shard.offset + i;
          coords.set(projected, q * this.components);
        }
        wanted.delete(id);
        left--;
      });
    }
    if (left > 0) {
      const missing = [...wanted.keys()];
      throw new InputError(`${missing.length === 1 ? 'id' : `${missing.length} ids`} not in the embeddings: ${missing.slice(0, 5).map((m) => `"${m}"`).join(', ')}${missing.length > 5 ? ', …' : ''}`,
        { file: file ?? this.store.dir }, `the store holds ${this.count} galaxies of ${this.store.manifest.catalog ?? 'its catalog'}; check the id (ids are matched exactly, as text)`);
    }
    return { rows, coords };
  }

  /** The ids of database rows, reading only the shards that hold them. */
  async idsOf(rows: Iterable<number>): Promise<Map<number, string>> {
    const byShard = new Map<number, number[]>();
    const starts: number[] = [];
    let at = 0;
    for (const s of this.store.manifest.shards) {
      starts.push(at);
      at += s.rows;
    }
    for (const row of rows) {
      let s = starts.length - 1;
      while (s > 0 && starts[s] > row) s--;
      byShard.set(s, [...(byShard.get(s) ?? []), row]);
    }
    const out = new Map<number, string>();
    for (const [s, list] of byShard) {
      const shard = await this.store.readShard(s);
      for (const row of list) out.set(row, shard.ids[row - shard.offset]);
    }
    return out;
  }

  /** The settings `galmorph embed` made the store with (encoder options, preprocessing), or null for a store made otherwise. */
  embedConfig(): Record<string, unknown> | null {
    const settings = this.store.manifest.settings;
    return 'representation' in settings ? settings : null;
  }
}
