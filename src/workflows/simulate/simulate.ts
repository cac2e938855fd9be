/**
 * `galmorph simulate`: a folder of simulated galaxies with known ground truth, in exactly the catalog layout
 * the real loaders read — `images/<id>.png` (8-bit grey), `labels.csv` (id, image_file, one vote-count column
 * per schema answer, named by the schema's columns) — plus `truth.csv` (true morphology, observing conditions
 * and true answer probabilities), `config.json`, `results.json` and `grids/<class>.png` so a person can check
 * the galaxies look like galaxies. Galaxy i depends only on (seed, i), never on batching.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import type { Catalog, CatalogRow } from '../../data/catalog.js';
import { writeCatalog } from '../../data/catalogWrite.js';
import { writeCsv } from '../../data/csv.js';
import { GALAXY_CLASSES, type GalaxyClass } from '../../data/simulator/galaxyClass.js';
import {
  SIMULATE_GALAXY_FIELDS,
  createGalaxySimulator,
  resolveSimulateGalaxyOptions,
  type SimulatedGalaxy,
} from '../../data/simulator/simulateGalaxy.js';
import { truthHeader, truthRow } from '../../data/simulator/truthTable.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { field, fieldDefaults, resolveFields, type FieldValues } from '../../util/fields.js';
import { PROGRESS_FIELD } from '../commonFields.js';
import { ProgressBar } from '../../util/progress.js';
import { RunFolder } from '../../util/runFolder.js';

/** `galmorph simulate`'s options, declared once: the simulator's own, plus the folder, size and grids. */
export const SIMULATE_FIELDS = {
  n: field.integer({ default: 1000, min: 1, max: 100_000_000, flag: '--n <count>', help: 'number of galaxies' }),
  out: field.string({ default: 'runs/simulated', flag: '--out <dir>', help: 'output folder (created; files of the same name are overwritten)' }),
  ...SIMULATE_GALAXY_FIELDS,
  gridTiles: field.integer({ default: 64, min: 0, max: 1024, flag: '--grid <tiles>', help: 'tiles per class image grid (the first galaxies of each class; 0: none)' }),
  progress: PROGRESS_FIELD,
};

export type SimulateOptions = FieldValues<typeof SIMULATE_FIELDS>;

export const SIMULATE_DEFAULTS: Readonly<SimulateOptions> = Object.freeze(fieldDefaults(SIMULATE_FIELDS));

export interface SimulateResult {
  out: string;
  n: number;
  schema: string;
  size: number;
  /** Galaxies per class. */
  classCounts: Record<GalaxyClass, number>;
  /** Share of first-question votes for smooth / featured / star-or-artefact over the whole sample. */
  firstQuestionVoteShare: number[];
  meanVolunteers: number;
  seconds: number;
  galaxiesPerSecond: number;
  /** Written files relative to `out`. */
  files: { labels: string; truth: string; config: string; images: string; grids: string[] };
}

/** PNG writes kept in flight at once. */
const WRITE_CONCURRENCY = 32;

export async function simulate(options: Partial<SimulateOptions> & { out: string }): Promise<SimulateResult> {
  const { n, out, gridTiles, progress, ...galaxyGiven } = resolveFields(SIMULATE_FIELDS, options);
  const own = { n, out, gridTiles, progress };
  const galaxyOptions = resolveSimulateGalaxyOptions(galaxyGiven);
  const simulateOne = createGalaxySimulator(galaxyOptions);
  const schema = simulateOne.schema;
  using run = new RunFolder(own.out, false);
  run.writeJson('config.json', { command: 'simulate', ...own, ...galaxyOptions });
  run.log(`simulate: ${own.n} galaxies, ${galaxyOptions.size}×${galaxyOptions.size}, schema ${schema.name}, seed ${galaxyOptions.seed}`);

  const bar = own.progress ? new ProgressBar({ label: 'simulate', total: own.n, unit: 'gal' }) : null;
  const rows: CatalogRow[] = [];
  const truth: (string | number)[][] = [];
  const grids = new Map<GalaxyClass, GridImage[]>(GALAXY_CLASSES.map((c) => [c, []]));
  const classCounts = Object.fromEntries(GALAXY_CLASSES.map((c) => [c, 0])) as Record<GalaxyClass, number>;
  const q1 = schema.questions[0];
  const firstVotes = new Float64Array(q1.end - q1.start);
  let volunteerTotal = 0;
  const start = Date.now();
  let pending: Promise<unknown>[] = [];

  for (let i = 0; i < own.n; i++) {
    const galaxy = simulateOne(i);
    const image = run.path('images', `${galaxy.id}.png`);
    pending.push(writeGreyPng(image, galaxy));
    if (pending.length >= WRITE_CONCURRENCY) {
      await Promise.all(pending);
      pending = [];
    }
    rows.push({ id: galaxy.id, image, counts: galaxy.counts });
    truth.push(truthRow(galaxy));
    const cls = galaxy.morphology.galaxyClass;
    classCounts[cls] += 1;
    const tiles = grids.get(cls) as GridImage[];
    if (tiles.length < own.gridTiles) tiles.push({ data: galaxy.image, height: galaxy.size, width: galaxy.size, channels: 1 });
    for (let a = q1.start; a < q1.end; a++) firstVotes[a - q1.start] += galaxy.counts[a];
    volunteerTotal += galaxy.volunteers;
    bar?.tick();
  }
  await Promise.all(pending);
  bar?.finish();

  const catalog: Catalog = {
    schema,
    rows,
    labelKind: 'counts',
    source: '',
    skipped: [],
    labelledQuestions: schema.questions.map(() => true),
  };
  writeCatalog(run.path('labels.csv'), catalog);
  writeCsv(run.path('truth.csv'), truthHeader(schema), truth);

  const gridFiles: string[] = [];
  for (const [cls, tiles] of grids) {
    if (tiles.length === 0) continue;
    const file = join('grids', `${cls}.png`);
    await writeImageGrid(run.path(file), tiles, { cols: 8, scale: galaxyOptions.size <= 64 ? 2 : 1, gap: 2 });
    gridFiles.push(file);
  }

  const seconds = (Date.now() - start) / 1000;
  const voteTotal = firstVotes.reduce((s, x) => s + x, 0);
  const result: SimulateResult = {
    out: run.dir,
    n: own.n,
    schema: schema.name,
    size: galaxyOptions.size,
    classCounts,
    firstQuestionVoteShare: Array.from(firstVotes, (x) => x / voteTotal),
    meanVolunteers: volunteerTotal / own.n,
    seconds,
    galaxiesPerSecond: own.n / seconds,
    files: { labels: 'labels.csv', truth: 'truth.csv', config: 'config.json', images: 'images', grids: gridFiles },
  };
  run.writeJson('results.json', result);
  run.log(`simulate: wrote ${own.n} galaxies to ${run.dir} in ${seconds.toFixed(1)} s`);
  return result;
}

async function writeGreyPng(path: string, galaxy: SimulatedGalaxy): Promise<void> {
  const bytes = new Uint8Array(galaxy.image.length);
  for (let k = 0; k < bytes.length; k++) bytes[k] = Math.round(galaxy.image[k] * 255);
  await sharp(bytes, { raw: { width: galaxy.size, height: galaxy.size, channels: 1 } }).png().toFile(path);
}
