/**
 * `galmorph similar`: the nearest neighbours of galaxies in the PCA space of an embeddings store (Walmsley et al.
 * 2022: PCA to 10 components, Euclidean distance, 8 neighbours shown). Queries are ids of the store (`--id`, or
 * `--ids FILE` with one id a line) or an image from outside it (`--image FILE`, embedded with the store's own
 * encoder settings and PCA). Search is exact up to `--exact-limit` galaxies and through a cached HNSW index beyond,
 * with its recall against exact search reported. Writes neighbours.csv (query_id, rank, id, distance), a PNG grid of
 * each query and its neighbours with distances, results.json, summary.md and run.log.
 *
 * `--evaluate` instead scores the space: every labelled galaxy is a query and precision@k / nDCG@10 of neighbours
 * sharing its class are averaged per class (similarEvaluate.ts).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { InputError, OptionError } from '../../util/errors.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD, COMPUTE_FIELDS, outFolder, PROGRESS_FIELD } from '../commonFields.js';
import { RunFolder } from '../../util/runFolder.js';
import { describeBackend } from '../../backend/initBackend.js';
import { loadImage } from '../../data/image.js';
import { writeCsv } from '../../data/csv.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { markdownTable } from '../../report/markdownTable.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { EMBEDDING_LAYERS } from '../../models/bayesianCnn.js';
import { openEncoder, REPRESENTATIONS, type EncoderOptions } from '../embed/embedEncoder.js';
import { SearchSpace } from './similarSpace.js';
import { SEARCH_METHODS, searchNeighbours, type SearchOutcome } from './similarSearch.js';
import { catalogImagePaths, loadThumbnails } from './thumbnails.js';
import { evaluateRetrieval, parseClassGroups, readClassLabels, type RetrievalEvaluation } from './similarEvaluate.js';

export const SIMILAR_FIELDS = {
  embeddings: field.string({ default: '', flag: '--embeddings <dir>', help: 'embeddings folder written by galmorph embed' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'output folder' }),
  id: field.nullable(field.string({ default: '', flag: '--id <id>', help: 'query: a galaxy of the embeddings' })),
  ids: field.nullable(field.string({ default: '', flag: '--ids <file>', help: 'queries: a text file with one galaxy id a line' })),
  image: field.nullable(field.string({ default: '', flag: '--image <file>', help: 'query: an image outside the catalog (JPEG/PNG/FITS), embedded with the store\'s encoder and PCA' })),
  k: field.integer({ default: 8, min: 1, max: 1000, flag: '--k <n>', help: 'neighbours per query' }),
  components: field.integer({ default: 10, min: 1, max: 4096, flag: '--components <n>', help: 'PCA components of the search space' }),
  method: field.choice(SEARCH_METHODS, { default: 'auto', flag: '--method <name>', help: 'auto (exact up to --exact-limit galaxies, else HNSW) | exact (streaming brute force) | hnsw (usearch index, cached in the embeddings folder)' }),
  exactLimit: field.integer({ default: 200_000, min: 0, max: 1e9, flag: '--exact-limit <n>', help: 'largest store searched exactly by --method auto' }),
  recallQueries: field.integer({ default: 100, min: 0, max: 100_000, flag: '--recall-queries <n>', help: 'random galaxies whose HNSW neighbours are checked against exact search (recall)' }),
  gridQueries: field.integer({ default: 16, min: 0, max: 1000, flag: '--grid-queries <n>', help: 'queries drawn in neighbours.png (one row each)' }),
  catalog: field.nullable(field.string({ default: '', flag: '--catalog <path>', help: 'catalog of the embedded galaxies, for pictures and --evaluate labels (default: the one recorded by embed)' })),
  evaluate: field.boolean({ default: false, flag: '--evaluate', help: 'score the space instead: precision@k and nDCG@10 of neighbours sharing each labelled galaxy\'s class' }),
  labelColumn: field.list(field.string({ default: 'class' }), { default: ['class'], flag: '--label-column <col,...>', help: '--evaluate: catalog column(s) holding each galaxy\'s class' }),
  labelThreshold: field.nullable(field.number({ default: 0.5, flag: '--label-threshold <t>', help: '--evaluate: numeric label columns become two classes, value > t and ≤ t (e.g. GZ2 vote fractions)' })),
  mergeClasses: field.nullable(field.list(field.string({ default: 'x' }), { default: [], flag: '--merge-classes <name=a+b,...>', help: '--evaluate: count several label values as one class, e.g. spiral=spiral_clockwise+spiral_anticlockwise' })),
  ndcgK: field.integer({ default: 10, min: 1, max: 1000, flag: '--ndcg-k <n>', help: '--evaluate: depth of nDCG' }),
  queries: field.integer({ default: 0, min: 0, max: 1e7, flag: '--queries <n>', help: '--evaluate: at most this many queries per column, a seeded sample (0 = every labelled galaxy)' }),
  queryIds: field.nullable(field.string({ default: '', flag: '--query-ids <file>', help: '--evaluate: only these galaxies (one id a line) are queries, e.g. a model\'s held-out test ids; all labelled galaxies stay searchable' })),
  seed: field.with(COMPUTE_FIELDS.seed, { help: 'seed of the recall sample and of --queries' }),
  allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD,
  progress: PROGRESS_FIELD,
};

export type SimilarOptions = FieldValues<typeof SIMILAR_FIELDS>;

export interface SimilarResult {
  queries: string[];
  neighbours: { queryId: string; rank: number; id: string; distance: number }[];
  search: Omit<SearchOutcome, 'neighbours'> | null;
  evaluation: RetrievalEvaluation | null;
  peakRssMB: number;
}

const THUMB = 72;

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function readIdsFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the ids file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path }, 'give a text file with one galaxy id a line');
  }
  const ids = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (ids.length === 0) throw new InputError('the ids file holds no ids', { file: path }, 'one galaxy id a line');
  return ids;
}

/** The encoder settings a store was embedded with (its manifest's), to embed an outside image the same way. */
export function storeEncoder(space: SearchSpace): EncoderOptions {
  const config = space.embedConfig();
  const schema = z.object({
    model: z.string(), representation: z.enum(REPRESENTATIONS), layer: z.enum(EMBEDDING_LAYERS), pixelSize: z.number(), seed: z.number(), tta: z.boolean().optional(),
  });
  const parsed = schema.safeParse(config);
  if (!parsed.success) {
    throw new InputError('the embeddings were not made by galmorph embed (their manifest names no encoder), so an outside image cannot be embedded the same way', { file: space.store.dir }, 'query by --id, or embed the catalog with galmorph embed');
  }
  return parsed.data;
}

export async function similar(given: Partial<SimilarOptions> & Pick<SimilarOptions, 'embeddings' | 'out'>): Promise<SimilarResult> {
  const options = resolveFields(SIMILAR_FIELDS, given);
  const asked = (['id', 'ids', 'image'] as const).filter((key) => options[key] !== null);
  if (options.evaluate ? asked.length > 0 : asked.length !== 1) {
    throw new OptionError(options.evaluate ? 'evaluate' : 'id', options.evaluate ? '--evaluate without --id, --ids or --image' : 'exactly one of --id, --ids or --image (or --evaluate)', asked.length === 0 ? 'none' : asked.join(' and '));
  }
  const space = new SearchSpace(options.embeddings, options.components);
  using run = new RunFolder(options.out);
  if (options.image !== null) run.log(describeBackend());
  run.writeJson('config.json', { command: 'similar', ...options, store: { count: space.count, dimension: space.store.dimension, model: space.store.manifest.model, catalog: space.store.manifest.catalog ?? null } });
  const catalog = options.catalog ?? space.store.manifest.catalog ?? null;
  if (options.evaluate) return evaluate(space, options, catalog, run);

  // Queries: ids of the store (their own row is left out of their neighbours) or an outside image.
  let queryIds: string[];
  let coords: Float32Array;
  let exclude: number[];
  let queryImage: GridImage | null = null;
  if (options.image !== null) {
    const encoderOptions = storeEncoder(space);
    const encoder = openEncoder(encoderOptions);
    try {
      const image = await loadImage(options.image, encoder.preprocessing);
      const vector = encoder.embed(image.data, [1, image.height, image.width, image.channels]);
      coords = space.pca.project(vector, space.components);
    } finally {
      encoder.dispose();
    }
    const crop = encoderOptions.representation === 'pixels' ? 1 : (space.embedConfig()?.preprocessing as { crop?: number } | undefined)?.crop ?? 1;
    const thumb = await loadImage(options.image, { size: THUMB, crop, colour: 'rgb' });
    queryImage = { data: thumb.data, height: thumb.height, width: thumb.width, channels: 3 };
    queryIds = [basename(options.image)];
    exclude = [-1];
  } else {
    queryIds = options.id !== null ? [options.id] : readIdsFile(options.ids as string);
    const located = await space.locate(queryIds, options.ids ?? undefined);
    coords = located.coords;
    exclude = located.rows;
  }
  run.log(`${queryIds.length} quer${queryIds.length === 1 ? 'y' : 'ies'} among ${space.count} galaxies, PCA ${space.components} of ${space.store.dimension}-d ${space.store.manifest.model.name} embeddings`);
  const outcome = await searchNeighbours(space, coords, exclude, { k: options.k, method: options.method, exactLimit: options.exactLimit, recallQueries: options.recallQueries, seed: options.seed, log: (l) => run.log(l) });
  const names = await space.idsOf(outcome.neighbours.flatMap((list) => list.map((n) => n.index)));
  const table = outcome.neighbours.flatMap((list, q) => list.map((n, r) => ({ queryId: queryIds[q], rank: r + 1, id: names.get(n.index) as string, distance: n.distance })));
  writeCsv(run.path('neighbours.csv'), ['query_id', 'rank', 'id', 'distance'], table.map((t) => [t.queryId, t.rank, t.id, t.distance]));
  run.log(`${outcome.method} search: ${outcome.searchSeconds.toFixed(3)} s for ${queryIds.length} queries`);

  // Picture: one row per query (the query, then its neighbours nearest first, captions with distances).
  let picture: string | null = null;
  const drawn = Math.min(options.gridQueries, queryIds.length);
  if (drawn > 0 && catalog !== null) {
    const paths = await catalogImagePaths(catalog, options.allowAbsolutePaths);
    const crop = (space.embedConfig()?.preprocessing as { crop?: number } | undefined)?.crop ?? 1;
    const wanted = table.filter((t) => queryIds.indexOf(t.queryId) < drawn).map((t) => t.id);
    if (queryImage === null) wanted.push(...queryIds.slice(0, drawn));
    const { images, missing } = await loadThumbnails(paths, wanted, { size: THUMB, crop });
    for (const m of missing) run.log(`no picture of ${m.id}: ${m.reason}`);
    const blank: GridImage = { data: new Float32Array(THUMB * THUMB * 3).fill(1), height: THUMB, width: THUMB, channels: 3 };
    const tiles: GridImage[] = [];
    const captions: string[] = [];
    const borders: (string | null)[] = [];
    for (let q = 0; q < drawn; q++) {
      tiles.push(queryImage ?? images.get(queryIds[q]) ?? blank);
      captions.push(`query ${queryIds[q].slice(-9)}`);
      borders.push('#d55e00');
      const list = table.filter((t) => t.queryId === queryIds[q]);
      for (let r = 0; r < options.k; r++) {
        const t = list[r];
        tiles.push(t === undefined ? blank : images.get(t.id) ?? blank);
        captions.push(t === undefined ? '' : `${t.rank}: d=${t.distance.toFixed(2)}`);
        borders.push(null);
      }
    }
    picture = run.path('neighbours.png');
    await writeImageGrid(picture, tiles, { cols: options.k + 1, captions, borders, captionSize: 10 });
  } else if (drawn > 0) {
    run.log('no catalog recorded in the embeddings and none given (--catalog): neighbours.png not drawn');
  }
  const search = { method: outcome.method, recall: outcome.recall, indexFile: outcome.indexFile, indexBuildSeconds: outcome.indexBuildSeconds, searchSeconds: outcome.searchSeconds };
  const peak = peakRssMB();
  run.writeJson('results.json', { queries: queryIds.length, k: options.k, components: space.components, galaxies: space.count, ...search, peakRssMB: peak, neighbours: table.slice(0, 1000) });
  run.writeText('summary.md', [
    '# Similar galaxies',
    '',
    `${queryIds.length} quer${queryIds.length === 1 ? 'y' : 'ies'}, ${options.k} nearest neighbours each among ${space.count} galaxies (Euclidean distance on the first ${space.components} PCA components of the ${space.store.manifest.model.name} embeddings).`,
    `Search: ${outcome.method}${outcome.method === 'hnsw' && outcome.recall !== null ? ` (usearch HNSW; recall@${options.k} against exact search ${outcome.recall.sample.toFixed(3)} on ${outcome.recall.sampleQueries} random galaxies, ${outcome.recall.queries.toFixed(3)} on the queries)` : ''}, ${outcome.searchSeconds.toFixed(3)} s; peak memory ${peak.toFixed(0)} MB.`,
    '',
    markdownTable(table.slice(0, 5 * options.k).map((t) => ({ query: t.queryId, rank: t.rank, id: t.id, distance: t.distance.toFixed(3) }))),
    table.length > 5 * options.k ? `\n… all ${table.length} rows in neighbours.csv.` : '',
    picture === null ? '' : '\n![neighbours](neighbours.png)',
    '',
  ].join('\n'));
  return { queries: queryIds, neighbours: table, search, evaluation: null, peakRssMB: peak };
}

async function evaluate(space: SearchSpace, options: SimilarOptions, catalog: string | null, run: RunFolder): Promise<SimilarResult> {
  if (catalog === null) throw new OptionError('catalog', 'the catalog with the label columns (none is recorded in the embeddings)', null);
  const labels = await readClassLabels(catalog, options.labelColumn, options.labelThreshold, options.allowAbsolutePaths, parseClassGroups(options.mergeClasses ?? []));
  const { ids, coords } = await space.loadAll(options.exactLimit);
  const started = Date.now();
  const evaluation = evaluateRetrieval(ids, coords, space.components, labels, {
    k: options.k, ndcgK: options.ndcgK, maxQueries: options.queries, seed: options.seed,
    ...(options.queryIds === null ? {} : { queryIds: new Set(readIdsFile(options.queryIds)) }), onColumn: (c) => run.log(`scoring neighbours by "${c}"`),
  });
  const seconds = (Date.now() - started) / 1000;
  const p = `precision_at_${options.k}`;
  const n = `ndcg_at_${options.ndcgK}`;
  const classRows = evaluation.classes.map((c) => ({ column: c.column, class: c.class, galaxies: c.galaxies, queries: c.queries, [p]: c.precision, [n]: c.ndcg, chance_precision: c.chancePrecision }));
  writeCsvTable(run.path('evaluation.csv'), classRows);
  const peak = peakRssMB();
  run.writeJson('results.json', { representation: space.store.manifest.model, components: space.components, k: options.k, ndcgK: options.ndcgK, galaxies: space.count, ...evaluation, seconds, peakRssMB: peak });
  const fmt = (v: number) => v.toFixed(3);
  run.writeText('summary.md', [
    '# Similarity search evaluation',
    '',
    `Embeddings: ${space.store.manifest.model.name} (${space.store.manifest.model.layer}), ${space.count} galaxies, first ${space.components} PCA components, Euclidean distance.`,
    `Each labelled galaxy is a query; its ${options.k} (and ${options.ndcgK}) nearest other labelled galaxies count as relevant when they share its class. Catalog: \`${catalog}\`.`,
    '',
    markdownTable(evaluation.classes.map((c) => ({ column: c.column, class: c.class, galaxies: c.galaxies, [`precision@${options.k}`]: fmt(c.precision), [`nDCG@${options.ndcgK}`]: fmt(c.ndcg), chance: fmt(c.chancePrecision) }))),
    '',
    markdownTable(evaluation.columns.map((c) => ({ column: c.column, queries: c.queries, [`macro precision@${options.k}`]: fmt(c.macroPrecision), [`macro nDCG@${options.ndcgK}`]: fmt(c.macroNdcg), [`micro precision@${options.k}`]: fmt(c.microPrecision), [`micro nDCG@${options.ndcgK}`]: fmt(c.microNdcg), 'macro chance': fmt(c.macroChance) }))),
    '',
    evaluation.unlabelled > 0 ? `${evaluation.unlabelled} embedded galaxies had no label and were left out.` : '',
    '',
  ].join('\n'));
  for (const c of evaluation.columns) run.log(`${c.column}: macro precision@${options.k} ${fmt(c.macroPrecision)}, macro nDCG@${options.ndcgK} ${fmt(c.macroNdcg)} (chance ${fmt(c.macroChance)})`);
  return { queries: [], neighbours: [], search: null, evaluation, peakRssMB: peak };
}
