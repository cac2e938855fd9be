/**
 * `galmorph map`: a 2-D map of an embeddings store — UMAP (umap-js, seeded) of the first PCA components, or the first
 * two PCA components themselves (`--method pca`, streamed over every galaxy) — drawn as a picture with galaxy
 * thumbnails at their positions (the map of Walmsley et al. 2022, fig. 3): the map is cut into cells and each cell
 * shows the galaxy nearest its centre, so a large catalog shows at most cells² thumbnails. With `--color-by COL`
 * each thumbnail gets a frame coloured by a catalog column (classes in the palette, numbers on viridis) and a
 * scatter plot of every mapped galaxy is coloured the same way. The coordinates are written as CSV and Parquet for
 * the explorer. UMAP above `--max-points` galaxies is fitted on a seeded random sample of that size.
 */
import sharp from 'sharp';
import { UMAP } from 'umap-js';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { OptionError } from '../../util/errors.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD, COMPUTE_FIELDS, outFolder, PROGRESS_FIELD } from '../commonFields.js';
import { RunFolder } from '../../util/runFolder.js';
import { ProgressBar } from '../../util/progress.js';
import { Rng } from '../../util/rng.js';
import { quantileSorted } from '../../util/stats.js';
import { writeCsv } from '../../data/csv.js';
import { writeParquet } from '../../data/parquet.js';
import { parseColor, rgbToHex, seriesColor, viridis, type Rgb } from '../../report/palette.js';
import { scatterPlot } from '../../report/scatter.js';
import { writeFigure } from '../../report/writeFigure.js';
import { SearchSpace } from '../similar/similarSpace.js';
import { catalogImagePaths, loadThumbnails } from '../similar/thumbnails.js';
import { readCatalogColumn } from '../similar/similarEvaluate.js';

export const MAP_METHODS = ['umap', 'pca'] as const;

export const MAP_FIELDS = {
  embeddings: field.string({ default: '', flag: '--embeddings <dir>', help: 'embeddings folder written by galmorph embed' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'output folder' }),
  method: field.choice(MAP_METHODS, { default: 'umap', flag: '--method <name>', help: 'umap (umap-js on the first --components PCA components) | pca (the first two PCA components, every galaxy, streamed)' }),
  components: field.integer({ default: 10, min: 2, max: 4096, flag: '--components <n>', help: 'PCA components UMAP reads' }),
  neighbours: field.integer({ default: 15, min: 2, max: 200, flag: '--neighbours <n>', help: 'UMAP nNeighbors (local vs global structure)' }),
  minDist: field.number({ default: 0.1, min: 0, max: 1, flag: '--min-dist <d>', help: 'UMAP minDist (how tightly points pack)' }),
  epochs: field.integer({ default: 0, min: 0, max: 10_000, flag: '--epochs <n>', help: 'UMAP epochs (0 = umap-js\'s choice by data size)' }),
  maxPoints: field.integer({ default: 20_000, min: 10, max: 1_000_000, flag: '--max-points <n>', help: 'UMAP is fitted on at most this many galaxies (a seeded sample beyond)' }),
  colorBy: field.nullable(field.string({ default: '', flag: '--color-by <col>', help: 'catalog column that colours the thumbnails\' frames and the scatter plot' })),
  catalog: field.nullable(field.string({ default: '', flag: '--catalog <path>', help: 'catalog of the embedded galaxies, for thumbnails and --color-by (default: the one recorded by embed)' })),
  cells: field.integer({ default: 24, min: 2, max: 200, flag: '--cells <n>', help: 'the map is cut into n × n cells, one thumbnail each at most' }),
  thumbnail: field.integer({ default: 48, min: 8, max: 256, flag: '--thumbnail <px>', help: 'thumbnail side in pixels' }),
  seed: field.with(COMPUTE_FIELDS.seed, { help: 'seed of UMAP and of the sample' }),
  allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD,
  progress: PROGRESS_FIELD,
};

export type MapOptions = FieldValues<typeof MAP_FIELDS>;

export interface MapResult {
  ids: string[];
  x: Float32Array;
  y: Float32Array;
  thumbnails: number;
  files: { csv: string; parquet: string; picture: string | null; scatter: string | null };
}

/** Up to `max` rows of the stream, a seeded uniform sample (reservoir), with their PCA coordinates, in row order. */
async function sampleCoords(space: SearchSpace, max: number, seed: number): Promise<{ ids: string[]; coords: Float32Array }> {
  const c = space.components;
  if (space.count <= max) return space.loadAll(max);
  const rng = Rng.derive(seed, 'map-sample');
  const rows: number[] = [];
  const ids: string[] = [];
  const coords = new Float32Array(max * c);
  let seen = 0;
  for await (const chunk of space.chunks()) {
    chunk.ids.forEach((id, i) => {
      const slot = seen < max ? seen : Math.floor(rng.uniform() * (seen + 1));
      seen++;
      if (slot >= max) return;
      rows[slot] = chunk.offset + i;
      ids[slot] = id;
      coords.set(chunk.vectors.subarray(i * c, (i + 1) * c), slot * c);
    });
  }
  const order = rows.map((_, k) => k).sort((a, b) => rows[a] - rows[b]);
  const sorted = new Float32Array(max * c);
  order.forEach((k, i) => sorted.set(coords.subarray(k * c, (k + 1) * c), i * c));
  return { ids: order.map((k) => ids[k]), coords: sorted };
}

/** For each cell of an n × n grid over the central 98% of the points, the point nearest the cell's centre. */
export function cellRepresentatives(x: Float32Array, y: Float32Array, cells: number): { index: number; cx: number; cy: number }[] {
  const lo = (v: Float32Array) => quantileSorted(Float64Array.from(v).sort(), 0.01);
  const hi = (v: Float32Array) => quantileSorted(Float64Array.from(v).sort(), 0.99);
  const [x0, x1, y0, y1] = [lo(x), hi(x), lo(y), hi(y)];
  const w = (x1 - x0) / cells || 1;
  const h = (y1 - y0) / cells || 1;
  const best = new Map<number, { index: number; d: number }>();
  for (let i = 0; i < x.length; i++) {
    const cx = Math.floor((x[i] - x0) / w);
    const cy = Math.floor((y1 - y[i]) / h);
    if (cx < 0 || cy < 0 || cx >= cells || cy >= cells) continue;
    const dx = (x[i] - x0) / w - (cx + 0.5);
    const dy = (y1 - y[i]) / h - (cy + 0.5);
    const d = dx * dx + dy * dy;
    const key = cy * cells + cx;
    const now = best.get(key);
    if (now === undefined || d < now.d) best.set(key, { index: i, d });
  }
  return [...best.entries()].map(([key, b]) => ({ index: b.index, cx: key % cells, cy: Math.floor(key / cells) }));
}

/** Colours of the galaxies by a column: classes in the series palette (≤ 12 distinct values), else numbers on viridis. */
function colouring(values: (string | number | undefined)[]): { colour: (i: number) => Rgb | null; legend: { label: string; members: number[] }[] | null; numeric: { min: number; max: number } | null } {
  const present = values.filter((v): v is string | number => v !== undefined);
  const distinct = [...new Set(present.map(String))].sort();
  const numeric = present.length > 0 && present.every((v) => Number.isFinite(Number(v)));
  if (distinct.length <= 12 || !numeric) {
    const index = new Map(distinct.map((d, k) => [d, k]));
    return {
      colour: (i) => (values[i] === undefined ? null : parseColor(seriesColor(index.get(String(values[i])) as number), 'colour')),
      legend: distinct.map((label) => ({ label, members: values.flatMap((v, i) => (v !== undefined && String(v) === label ? [i] : [])) })),
      numeric: null,
    };
  }
  const nums = present.map(Number);
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  return { colour: (i) => (values[i] === undefined ? null : viridis((Number(values[i]) - min) / (max - min || 1))), legend: null, numeric: { min, max } };
}

export async function galaxyMap(given: Partial<MapOptions> & Pick<MapOptions, 'embeddings' | 'out'>): Promise<MapResult> {
  const options = resolveFields(MAP_FIELDS, given);
  const space = new SearchSpace(options.embeddings, options.method === 'pca' ? 2 : options.components);
  using run = new RunFolder(options.out);
  run.writeJson('config.json', { command: 'map', ...options, store: { count: space.count, dimension: space.store.dimension, model: space.store.manifest.model, catalog: space.store.manifest.catalog ?? null } });
  const started = Date.now();
  let ids: string[];
  let x: Float32Array;
  let y: Float32Array;
  if (options.method === 'pca') {
    ids = [];
    x = new Float32Array(space.count);
    y = new Float32Array(space.count);
    for await (const chunk of space.chunks()) {
      chunk.ids.forEach((id, i) => {
        ids.push(id);
        x[chunk.offset + i] = chunk.vectors[2 * i];
        y[chunk.offset + i] = chunk.vectors[2 * i + 1];
      });
    }
    run.log(`PCA map of ${space.count} galaxies (components 1 and 2: ${(100 * (space.pca.json.explainedVarianceRatio[0] + (space.pca.json.explainedVarianceRatio[1] ?? 0))).toFixed(1)}% of the variance)`);
  } else {
    const sample = await sampleCoords(space, options.maxPoints, options.seed);
    ids = sample.ids;
    const n = ids.length;
    if (n < 3) throw new OptionError('embeddings', 'at least 3 galaxies for UMAP (use --method pca)', n);
    if (n < space.count) run.log(`UMAP on a seeded sample of ${n} of ${space.count} galaxies (--max-points)`);
    const rng = Rng.derive(options.seed, 'umap');
    const umap = new UMAP({
      nComponents: 2, nNeighbors: Math.min(options.neighbours, n - 1), minDist: options.minDist, random: () => rng.uniform(),
      ...(options.epochs > 0 ? { nEpochs: options.epochs } : {}),
    });
    const c = space.components;
    const data = Array.from({ length: n }, (_, i) => Array.from(sample.coords.subarray(i * c, (i + 1) * c)));
    const epochs = umap.initializeFit(data);
    const bar = options.progress ? new ProgressBar({ label: 'umap', total: epochs, unit: 'epochs' }) : null;
    for (let e = 0; e < epochs; e++) {
      umap.step();
      bar?.tick(1);
    }
    bar?.finish();
    const embedding = umap.getEmbedding();
    x = Float32Array.from(embedding, (p) => p[0]);
    y = Float32Array.from(embedding, (p) => p[1]);
    run.log(`UMAP of ${n} galaxies (${c} PCA components, nNeighbors ${Math.min(options.neighbours, n - 1)}, minDist ${options.minDist}, ${epochs} epochs) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  // Colouring column.
  const catalog = options.catalog ?? space.store.manifest.catalog ?? null;
  let values: (string | number | undefined)[] | null = null;
  if (options.colorBy !== null) {
    if (catalog === null) throw new OptionError('catalog', 'the catalog holding --color-by (none is recorded in the embeddings)', null);
    const column = await readCatalogColumn(catalog, options.colorBy, options.allowAbsolutePaths);
    values = ids.map((id) => column.values.get(id)?.cell);
    const missing = values.filter((v) => v === undefined).length;
    if (missing > 0) run.log(`${missing} mapped galaxies have no "${options.colorBy}" value (drawn without a frame, grey in the scatter plot)`);
  }
  const colours = values === null ? null : colouring(values);

  // Coordinates for the explorer.
  const files: MapResult['files'] = { csv: run.path('coordinates.csv'), parquet: run.path('coordinates.parquet'), picture: null, scatter: null };
  const header = ['id', 'x', 'y', ...(values === null ? [] : [options.colorBy as string])];
  writeCsv(files.csv, header, ids.map((id, i) => [id, x[i], y[i], ...(values === null ? [] : [values[i] ?? ''])]));
  writeParquet(files.parquet, [
    { name: 'id', data: ids }, { name: 'x', data: x }, { name: 'y', data: y },
    ...(values === null ? [] : [{ name: options.colorBy as string, data: values.map((v) => (v === undefined ? '' : String(v))) }]),
  ]);

  // Scatter plot of every mapped galaxy.
  const axisName = options.method === 'umap' ? 'UMAP' : 'PCA';
  const groups = colours?.legend ?? [{ label: 'galaxies', members: ids.map((_, i) => i) }];
  const scatter = await writeFigure(run.path('map_scatter'), scatterPlot(groups.filter((g) => g.members.length > 0).map((g) => ({ label: g.label, x: g.members.map((i) => x[i]), y: g.members.map((i) => y[i]) })), {
    title: `${space.store.manifest.model.name} embeddings, ${ids.length} galaxies`, xLabel: `${axisName} 1`, yLabel: `${axisName} 2`, markerSize: ids.length > 5000 ? 2 : 4, opacity: 0.6, legend: groups.length > 1, width: 760, height: 560,
  }));
  files.scatter = scatter.png;

  // Thumbnail map.
  let thumbnails = 0;
  if (catalog === null) {
    run.log('no catalog recorded in the embeddings and none given (--catalog): the thumbnail map is not drawn');
  } else {
    const reps = cellRepresentatives(x, y, options.cells);
    const paths = await catalogImagePaths(catalog, options.allowAbsolutePaths);
    const crop = (space.embedConfig()?.preprocessing as { crop?: number } | undefined)?.crop ?? 1;
    const t = options.thumbnail;
    const { images, missing } = await loadThumbnails(paths, reps.map((r) => ids[r.index]), { size: t, crop });
    for (const m of missing) run.log(`no picture of ${m.id}: ${m.reason}`);
    const side = options.cells * t;
    const layers: { input: Buffer; raw: { width: number; height: number; channels: 3 }; left: number; top: number }[] = [];
    for (const r of reps) {
      const image = images.get(ids[r.index]);
      if (image === undefined) continue;
      const pixels = Buffer.alloc(t * t * 3);
      for (let k = 0; k < pixels.length; k++) pixels[k] = Math.round(255 * Math.min(1, Math.max(0, image.data[k])));
      const frame = colours?.colour(r.index) ?? null;
      if (frame !== null) {
        const ring = Math.max(2, Math.round(t / 16));
        for (let py = 0; py < t; py++) {
          for (let px = 0; px < t; px++) {
            if (px >= ring && py >= ring && px < t - ring && py < t - ring) continue;
            pixels.set(frame, (py * t + px) * 3);
          }
        }
      }
      layers.push({ input: pixels, raw: { width: t, height: t, channels: 3 }, left: r.cx * t, top: r.cy * t });
    }
    thumbnails = layers.length;
    files.picture = run.path('map.png');
    await sharp({ create: { width: side, height: side, channels: 3, background: { r: 0, g: 0, b: 0 } } }).composite(layers).png().toFile(files.picture);
    run.log(`map.png: ${thumbnails} thumbnails on a ${options.cells} × ${options.cells} grid`);
  }
  const seconds = (Date.now() - started) / 1000;
  run.writeJson('results.json', {
    method: options.method, galaxies: space.count, mapped: ids.length, thumbnails, seconds,
    colorBy: options.colorBy, legend: colours?.legend?.map((g, k) => ({ label: g.label, colour: seriesColor(k), galaxies: g.members.length })) ?? null, numericRange: colours?.numeric ?? null,
  });
  run.writeText('summary.md', [
    '# Map of galaxies',
    '',
    `${ids.length} of ${space.count} galaxies mapped by ${options.method === 'umap' ? `UMAP of the first ${options.components} PCA components` : 'the first two PCA components'} of the ${space.store.manifest.model.name} embeddings (${seconds.toFixed(1)} s).`,
    `Coordinates: \`coordinates.csv\` / \`coordinates.parquet\`. Scatter plot: \`map_scatter.png\`.${files.picture === null ? '' : ` Thumbnails (the galaxy nearest each of ${options.cells} × ${options.cells} cells' centres): \`map.png\`.`}`,
    ...(colours?.legend ? ['', `Frames coloured by \`${options.colorBy}\`:`, ...colours.legend.map((g, k) => `- ${rgbToHex(parseColor(seriesColor(k), 'colour'))} ${g.label} (${g.members.length})`)] : []),
    ...(colours?.numeric ? ['', `Frames coloured by \`${options.colorBy}\` on viridis from ${colours.numeric.min} (dark) to ${colours.numeric.max} (yellow).`] : []),
    '',
    files.picture === null ? '' : '![map](map.png)',
    '',
  ].join('\n'));
  return { ids, x, y, thumbnails, files };
}
