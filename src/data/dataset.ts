/**
 * Batches of images and labels from catalog rows, for training and prediction.
 *
 * Two modes, chosen automatically under a memory budget:
 *  - 'memory': every image is decoded once (unaugmented) into one Float32Array and each epoch is served
 *    from it (3,000 × 64 × 64 grey floats are 49 MB);
 *  - 'stream': each epoch decodes as it goes, in a worker thread that keeps `prefetch` batches ready
 *    ahead of the consumer, so memory stays bounded whatever the catalog size.
 * Both give the same batches for the same seed and epoch: the order is a seeded shuffle per epoch and
 * each image's augmentation is seeded by (seed, epoch, id).
 *
 * Bad images: with onBad 'error' the first one stops the epoch with an InputError; with 'skip' it is left
 * out of its batch (the batch is smaller, never empty) and recorded in `badImages` (id, file, reason).
 */
import { InputError, OptionError } from '../util/errors.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { Rng } from '../util/rng.js';
import type { HostBatch } from './hostBatch.js';
import { applyAugmentation, drawAugmentation, resolveAugmentOptions, type AugmentOptions } from './augment.js';
import {
  decodeBatch, type BadImage, type DecodeItem, type DecodeRequest, type DecodeResult, type DecodeSettings,
} from './decodeWorkerProtocol.js';
import { DecodeWorkerClient } from './decodeWorkerClient.js';
import { resolvePreprocessOptions, type PreprocessOptions } from './preprocess.js';

/** What the dataset needs of a catalog row. */
export interface ImageRow {
  id: string;
  /** Absolute path of the image file. */
  image: string;
}

/** Reads one label of a row: a number (shape [1]) or a vector; undefined when the row has none. */
export type LabelExtractor<R> = (row: R) => ArrayLike<number> | number | undefined;

export const CACHE_MODES = ['auto', 'memory', 'stream'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export const BAD_IMAGE_POLICIES = ['error', 'skip'] as const;
export type BadImagePolicy = (typeof BAD_IMAGE_POLICIES)[number];

export interface DatasetOptions<R> {
  /** Decoding and preprocessing (size, crop, colour, FITS stretch). @default {} (see PREPROCESS_DEFAULTS) */
  preprocess: Partial<PreprocessOptions>;
  /** Random flips/rotations/crops; null for none (evaluation). @default null */
  augment: Partial<AugmentOptions> | null;
  /** Named label arrays put in every batch beside `images`, e.g. { counts: (r) => r.counts }. @default {} */
  labels: Record<string, LabelExtractor<R>>;
  /** Images per batch. @default 32 */
  batchSize: number;
  /** Shuffle the order each epoch (seeded by seed and epoch). @default true */
  shuffle: boolean;
  /** Seed of the shuffles and augmentations. @default 0 */
  seed: number;
  /** Leave out a last batch smaller than batchSize. @default false */
  dropLast: boolean;
  /** Batches decoded ahead in a worker thread; 0 decodes in this thread when asked. @default 2 */
  prefetch: number;
  /** 'auto' keeps decoded images in memory when they fit in memoryBudgetMB, else streams. @default 'auto' */
  cache: CacheMode;
  /** Largest in-memory image cache for cache 'auto', in MB. @default 512 */
  memoryBudgetMB: number;
  /** What a corrupt or unreadable image does: stop with an error, or be skipped and reported. @default 'error' */
  onBad: BadImagePolicy;
  /** Called as the in-memory cache fills (images decoded so far, total), e.g. to draw a ProgressBar. @default null */
  onCacheProgress: ((done: number, total: number) => void) | null;
}

function datasetDefaults<R>(): DatasetOptions<R> {
  return {
    preprocess: {}, augment: null, labels: {}, batchSize: 32, shuffle: true, seed: 0, dropLast: false,
    prefetch: 2, cache: 'auto', memoryBudgetMB: 512, onBad: 'error', onCacheProgress: null,
  };
}

function datasetSpec<R>(): Spec<DatasetOptions<R>> {
  return {
    preprocess: check.any(),
    augment: check.any(),
    labels: (v, name) => {
      if (typeof v !== 'object' || v === null || Object.values(v).some((f) => typeof f !== 'function')) {
        throw new OptionError(name, 'an object of label-reading functions', v);
      }
      if ('images' in v) throw new OptionError(`${name}.images`, 'another name ("images" holds the pixels)', 'images');
    },
    batchSize: check.integer(1, 1 << 20),
    shuffle: check.boolean(),
    seed: check.integer(0, 2 ** 32 - 1),
    dropLast: check.boolean(),
    prefetch: check.integer(0, 64),
    cache: check.oneOf(CACHE_MODES),
    memoryBudgetMB: check.number(0),
    onBad: check.oneOf(BAD_IMAGE_POLICIES),
    onCacheProgress: (v, name) => {
      if (v !== null && typeof v !== 'function') throw new OptionError(name, 'a function (done, total) or null', v);
    },
  };
}

/** What in-memory mode decodes once: the images (unaugmented), which decoded, and the bad images seen. */
interface DecodedStore {
  badById: Map<string, BadImage>;
  cache: { images: Float32Array; ok: boolean[] } | null;
  filling: Promise<void> | null;
}

/** The options a view made by withBatching() may change: everything but the rows, preprocessing and labels. */
export type BatchingOptions<R> = Partial<Pick<DatasetOptions<R>, 'augment' | 'batchSize' | 'shuffle' | 'seed' | 'dropLast' | 'prefetch'>>;

/** A HostBatch with the ids of its galaxies, in row order of the batch. */
export interface DatasetBatch extends HostBatch {
  ids: string[];
}

export class ImageDataset<R extends ImageRow> {
  readonly options: DatasetOptions<R>;
  readonly preprocessOptions: PreprocessOptions;
  readonly augmentOptions: AugmentOptions | null;
  /** Per-example image shape [height, width, channels]. */
  readonly imageShape: [number, number, number];
  /** 'memory' or 'stream', after resolving 'auto'. */
  readonly mode: 'memory' | 'stream';

  private readonly labelData: Record<string, Float32Array> = {};
  private readonly labelShapes: Record<string, number[]> = {};
  /** The decoded images and the bad ones; shared with the views made by withBatching(). */
  private store: DecodedStore = { badById: new Map(), cache: null, filling: null };

  constructor(readonly rows: readonly R[], options: Partial<DatasetOptions<R>> = {}) {
    this.options = resolveOptions(datasetDefaults<R>(), datasetSpec<R>(), options);
    this.preprocessOptions = resolvePreprocessOptions(this.options.preprocess);
    this.augmentOptions = this.options.augment === null ? null : resolveAugmentOptions(this.options.augment);
    const { size, colour } = this.preprocessOptions;
    this.imageShape = [size, size, colour === 'grey' ? 1 : 3];
    const cacheBytes = rows.length * this.pixelsPerImage * 4;
    this.mode = this.options.cache === 'auto'
      ? (cacheBytes <= this.options.memoryBudgetMB * 2 ** 20 ? 'memory' : 'stream')
      : this.options.cache;
    for (const [name, read] of Object.entries(this.options.labels)) this.readLabel(name, read);
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * The same rows, preprocessing and labels with other batching (augmentation, batch size, order, seed): e.g. a
   * training view beside an unaugmented evaluation view. In memory mode the view serves its batches from this
   * dataset's decoded images, so the catalog is decoded once for both (each view augments the cached images itself);
   * a streaming dataset's view decodes as it goes, as any streaming dataset does.
   */
  withBatching(options: BatchingOptions<R>): ImageDataset<R> {
    const view = new ImageDataset(this.rows, { ...this.options, labels: {}, ...options, cache: this.mode });
    Object.assign(view.labelData, this.labelData);
    Object.assign(view.labelShapes, this.labelShapes);
    view.store = this.store;
    return view;
  }

  /** Batches in one epoch (before any bad images are skipped). */
  get batchesPerEpoch(): number {
    const n = this.rows.length / this.options.batchSize;
    return this.options.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** Images skipped so far (each listed once), for the run's report. */
  get badImages(): BadImage[] {
    return [...this.store.badById.values()];
  }

  private get pixelsPerImage(): number {
    return this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
  }

  /**
   * Decodes every image now when the dataset keeps them in memory (otherwise nothing: streaming decodes as it goes),
   * so a timed phase that follows measures training, not the one-off decoding.
   */
  async prepare(): Promise<void> {
    if (this.mode === 'memory') await this.fillCache();
  }

  /** The batches of one epoch, in a seeded order. Stopping early (break) shuts the worker down. */
  async *batches(epoch = 0): AsyncGenerator<DatasetBatch> {
    const order = this.epochOrder(epoch);
    if (this.mode === 'memory') {
      await this.fillCache();
      for (const indices of order) {
        const batch = this.fromCache(indices, epoch);
        if (batch !== null) yield batch;
      }
      return;
    }
    const requests = order.map((indices, seq): DecodeRequest => ({ seq, items: indices.map((i) => this.item(i, epoch)) }));
    for await (const [indices, result] of this.decodeAll(order, requests, this.settings(true))) {
      const batch = this.fromResult(indices, result);
      if (batch !== null) yield batch;
    }
  }

  /** Row indices of each batch of an epoch. */
  private epochOrder(epoch: number): number[][] {
    const indices = Array.from({ length: this.rows.length }, (_, i) => i);
    if (this.options.shuffle) Rng.derive(this.options.seed, 'shuffle', epoch).shuffle(indices);
    const { batchSize, dropLast } = this.options;
    const batches: number[][] = [];
    for (let start = 0; start < indices.length; start += batchSize) {
      const chunk = indices.slice(start, start + batchSize);
      if (!dropLast || chunk.length === batchSize) batches.push(chunk);
    }
    return batches;
  }

  private augmentSeed(id: string, epoch: number): number {
    return Rng.derive(this.options.seed, 'augment', epoch, id).nextUint32();
  }

  private item(index: number, epoch: number): DecodeItem {
    const row = this.rows[index];
    return { id: row.id, image: row.image, augmentSeed: this.augmentSeed(row.id, epoch) };
  }

  private settings(withAugment: boolean): DecodeSettings {
    return { preprocess: this.preprocessOptions, augment: withAugment ? this.augmentOptions : null };
  }

  /** Decodes the requests in order, `prefetch` ahead in a worker (or inline when prefetch is 0). */
  private async *decodeAll(
    order: number[][], requests: DecodeRequest[], settings: DecodeSettings,
  ): AsyncGenerator<[number[], DecodeResult]> {
    const ahead = this.options.prefetch;
    if (ahead === 0 || requests.length === 0) {
      for (const request of requests) yield [order[request.seq], await decodeBatch(request, settings)];
      return;
    }
    const client = new DecodeWorkerClient(settings);
    const queue: Promise<DecodeResult>[] = [];
    let next = 0;
    const refill = (): void => {
      while (queue.length < ahead && next < requests.length) {
        const promise = client.decode(requests[next++]);
        promise.catch(() => undefined); // awaited below in order; this only marks a later failure as handled
        queue.push(promise);
      }
    };
    try {
      refill();
      for (const batchIndices of order) {
        const result = await queue.shift()!;
        refill();
        yield [batchIndices, result];
      }
    } finally {
      await client.close();
    }
  }

  private async fillCache(): Promise<void> {
    const store = this.store;
    if (store.cache !== null) return;
    store.filling ??= (async () => {
      const per = this.pixelsPerImage;
      const images = new Float32Array(this.rows.length * per);
      const ok = new Array<boolean>(this.rows.length).fill(false);
      const { batchSize } = this.options;
      const order: number[][] = [];
      for (let start = 0; start < this.rows.length; start += batchSize) {
        order.push(Array.from({ length: Math.min(batchSize, this.rows.length - start) }, (_, k) => start + k));
      }
      const requests = order.map((indices, seq): DecodeRequest => ({ seq, items: indices.map((i) => this.item(i, 0)) }));
      let done = 0;
      for await (const [indices, result] of this.decodeAll(order, requests, this.settings(false))) {
        done += indices.length;
        this.options.onCacheProgress?.(done, this.rows.length);
        this.recordBad(result);
        let k = 0;
        indices.forEach((row, j) => {
          if (!result.ok[j]) return;
          images.set(result.images.subarray(k * per, (k + 1) * per), row * per);
          ok[row] = true;
          k++;
        });
      }
      store.cache = { images, ok };
    })();
    await store.filling;
  }

  private fromCache(indices: number[], epoch: number): DatasetBatch | null {
    const { images, ok } = this.store.cache!;
    const kept = indices.filter((i) => ok[i]);
    if (kept.length < indices.length) this.raiseIfStrict(indices.find((i) => !ok[i])!);
    const per = this.pixelsPerImage;
    const [height, width, channels] = this.imageShape;
    const out = new Float32Array(kept.length * per);
    kept.forEach((row, k) => {
      let pixels = images.subarray(row * per, (row + 1) * per);
      if (this.augmentOptions !== null) {
        const rng = new Rng(this.augmentSeed(this.rows[row].id, epoch));
        const draw = drawAugmentation(rng, this.augmentOptions, width, height);
        pixels = applyAugmentation({ data: pixels, height, width, channels }, draw).data;
      }
      out.set(pixels, k * per);
    });
    return this.assemble(kept, out);
  }

  private fromResult(indices: number[], result: DecodeResult): DatasetBatch | null {
    this.recordBad(result);
    const kept = indices.filter((_, j) => result.ok[j]);
    if (kept.length < indices.length) this.raiseIfStrict(indices[result.ok.indexOf(false)]);
    return this.assemble(kept, result.images);
  }

  private assemble(kept: number[], images: Float32Array): DatasetBatch | null {
    if (kept.length === 0) return null;
    const arrays: Record<string, Float32Array> = { images };
    const shapes: Record<string, number[]> = { images: [...this.imageShape] };
    for (const [name, all] of Object.entries(this.labelData)) {
      const dim = all.length / this.rows.length;
      const out = new Float32Array(kept.length * dim);
      kept.forEach((row, k) => out.set(all.subarray(row * dim, (row + 1) * dim), k * dim));
      arrays[name] = out;
      shapes[name] = [...this.labelShapes[name]];
    }
    return { size: kept.length, arrays, shapes, ids: kept.map((i) => this.rows[i].id) };
  }

  private recordBad(result: DecodeResult): void {
    const { badById } = this.store;
    for (const bad of result.bad) if (!badById.has(bad.id)) badById.set(bad.id, bad);
  }

  private raiseIfStrict(row: number): void {
    if (this.options.onBad === 'skip') return;
    const { id } = this.rows[row];
    const bad = this.store.badById.get(id);
    throw new InputError(
      `galaxy "${id}" has an unusable image: ${bad?.reason ?? 'unknown reason'}`,
      {},
      'replace or remove the image, or pass --on-bad skip to leave bad images out and list them in the report',
    );
  }

  private readLabel(name: string, read: LabelExtractor<R>): void {
    let dim = -1;
    let data = new Float32Array(0);
    this.rows.forEach((row, i) => {
      const value = read(row);
      if (value === undefined) {
        throw new InputError(`galaxy "${row.id}" has no value for label "${name}"`, { row: i + 1, column: name },
          'keep only labelled rows (labelledSplit) in a dataset that reads labels');
      }
      const values = typeof value === 'number' ? [value] : value;
      if (dim === -1) {
        dim = values.length;
        data = new Float32Array(this.rows.length * dim);
      } else if (values.length !== dim) {
        throw new InputError(`galaxy "${row.id}": label "${name}" has ${values.length} values, earlier rows have ${dim}`,
          { row: i + 1, column: name }, 'every row needs the same number of values for a label');
      }
      for (let k = 0; k < dim; k++) {
        if (!Number.isFinite(values[k])) {
          throw new InputError(`galaxy "${row.id}": label "${name}" value ${k} is ${values[k]}`, { row: i + 1, column: name },
            'labels must be finite numbers; leave the row out of the labelled set instead');
        }
        data[i * dim + k] = values[k];
      }
    });
    this.labelData[name] = data;
    this.labelShapes[name] = [Math.max(dim, 0)];
  }
}
