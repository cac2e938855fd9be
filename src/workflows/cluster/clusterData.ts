/**
 * The galaxies `galmorph cluster` clusters: one or more catalogs (labels, when a catalog has them, are kept for
 * the analysis only: never seen by training), or a simulated sample written into the run folder. Each galaxy keeps
 * its per-question Galaxy Zoo vote fractions (labelled catalogs) and its true class, when one is known: the
 * simulator's `truth.csv` beside the catalog (column `galaxyClass`), or a catalog's class labels. Rows the readers
 * skip and ids that appear twice are listed, never dropped silently.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { readCsv } from '../../data/csv.js';
import type { Catalog, VoteLabelKind } from '../../data/catalog.js';
import type { BadImagePolicy } from '../../data/dataset.js';
import type { Schema } from '../../data/schema.js';
import { GALAXY_CLASSES, type GalaxyClass } from '../../data/simulator/galaxyClass.js';
import { simulate } from '../simulate/simulate.js';
import { InputError } from '../../util/errors.js';
import type { RunFolder } from '../../util/runFolder.js';

export interface ClusterGalaxy {
  id: string;
  image: string;
  /** Per-question vote fractions per schema answer, or null when the galaxy's catalog has no vote labels. */
  fractions: Float32Array | null;
  /** The galaxy's true class (simulator truth or catalog class label), or null. */
  truth: string | null;
}

export interface LeftOut {
  catalog: string;
  row: number | null;
  id: string;
  reason: string;
}

export interface ClusterData {
  galaxies: ClusterGalaxy[];
  /** Schema of the vote fractions (the first labelled catalog's), or null when no catalog has votes. */
  schema: Schema | null;
  /** Catalog tables read. */
  sources: string[];
  leftOut: LeftOut[];
  /** What the run clustered, for the report. */
  note: string;
}

export interface ClusterDataOptions {
  data: string[];
  simulate: number | null;
  classes: GalaxyClass[];
  /** --simulate: the signal-to-noise range. */
  snrRange: [number, number];
  schema: string;
  imageSize: number;
  onBad: BadImagePolicy;
  labelKind: VoteLabelKind;
  allowAbsolutePaths: boolean;
  seed: number;
  progress: boolean;
}

export async function loadClusterData(o: ClusterDataOptions, run: RunFolder): Promise<ClusterData> {
  let paths = o.data;
  let note: string;
  if (o.simulate !== null) {
    if (o.data.length > 0) throw new InputError(`give --data or --simulate, not both (got --data ${o.data.join(' ')} and --simulate ${o.simulate})`, {}, 'drop one of them');
    const folder = run.path('simulated');
    const everyClass = GALAXY_CLASSES.every((c) => o.classes.includes(c));
    if (!existsSync(join(folder, 'labels.csv'))) {
      const classMix = everyClass ? undefined : Object.fromEntries(GALAXY_CLASSES.map((c) => [c, o.classes.includes(c) ? 1 : 0])) as Record<GalaxyClass, number>;
      const made = await simulate({ n: o.simulate, out: folder, seed: o.seed, size: Math.max(16, o.imageSize), schema: 'gz2', progress: o.progress, snrRange: o.snrRange,
        ...(classMix === undefined ? {} : { classMix }) });
      run.log(`simulated ${made.n} galaxies into ${folder} in ${made.seconds.toFixed(1)} s`);
    } else run.log(`using the galaxies simulated before in ${folder}`);
    paths = [folder];
    note = `${o.simulate} simulated galaxies (${everyClass ? 'the simulator\'s default class mix' : `equal shares of ${o.classes.join(', ')}`}, S/N ${o.snrRange.join('–')}, seed ${o.seed})`;
  } else {
    if (o.data.length === 0) throw new InputError('no galaxies to cluster: give --data DIR (one or more catalogs) or --simulate N', {}, 'e.g. --simulate 2000');
    note = `the catalogs ${o.data.join(', ')}`;
  }
  const galaxies: ClusterGalaxy[] = [];
  const leftOut: LeftOut[] = [];
  const seen = new Set<string>();
  const sources: string[] = [];
  let schema: Schema | null = null;
  for (const path of paths) {
    if (!existsSync(path)) throw new InputError('catalog not found', { file: path }, 'pass a catalog folder (labels.csv + images/) or a CSV/Parquet table');
    const catalog = await readCatalog(path, { schema: o.schema, onBad: o.onBad, labelKind: o.labelKind, allowAbsolutePaths: o.allowAbsolutePaths });
    requireRows(catalog);
    sources.push(catalog.source);
    for (const s of catalog.skipped) leftOut.push({ catalog: catalog.source, row: s.row, id: s.id, reason: s.reason });
    const voted = catalog.labelKind === 'counts' || catalog.labelKind === 'fractions';
    if (voted && schema === null) schema = catalog.schema;
    const truth = readTruthClasses(path) ?? classLabels(catalog);
    for (const row of catalog.rows) {
      if (seen.has(row.id)) {
        leftOut.push({ catalog: catalog.source, row: null, id: row.id, reason: 'the id appears in an earlier catalog (or twice); the first is kept' });
        continue;
      }
      seen.add(row.id);
      galaxies.push({ id: row.id, image: row.image, fractions: voted ? row.fractions ?? null : null, truth: truth?.get(row.id) ?? null });
    }
  }
  return { galaxies, schema, sources, leftOut, note };
}

/** The `galaxyClass` column of a simulator's truth.csv beside the catalog, by id; null without one. */
export function readTruthClasses(path: string): Map<string, string> | null {
  const folder = statSync(path).isDirectory() ? path : dirname(path);
  const file = join(folder, 'truth.csv');
  if (!existsSync(file)) return null;
  const { header, rows } = readCsv(file);
  const idColumn = header.indexOf('id');
  const classColumn = header.indexOf('galaxyClass');
  if (idColumn < 0 || classColumn < 0) {
    throw new InputError('truth.csv lacks the columns id and galaxyClass', { file }, 'use a truth table written by `galmorph simulate`, or remove it');
  }
  return new Map(rows.map((r) => [r[idColumn], r[classColumn]]));
}

function classLabels(catalog: Catalog): Map<string, string> | null {
  if (catalog.labelKind !== 'class' || catalog.classNames === undefined) return null;
  const names = catalog.classNames;
  return new Map(catalog.rows.filter((r) => r.label !== undefined).map((r) => [r.id, names[r.label as number] ?? `class ${r.label}`]));
}
