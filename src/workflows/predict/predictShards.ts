/**
 * Streaming, resumable prediction for catalogs of any size: `galmorph predict --shard-size N` (one machine) and the
 * queue's `predict` jobs (src/jobs, many machines) share this file.
 *
 * The catalog is planned in one streaming pass (data/catalogShards.ts) into shards of N rows; each shard is read,
 * decoded in a worker thread a few batches ahead of inference, predicted (T MC-dropout passes per model, as
 * `predict`), summarised into the full prediction table's columns (predictTable.ts; with --bald each galaxy's BALD
 * columns too, by the same galaxyBald as `predict --bald`) and written as one Parquet
 * shard with its receipt (data/shardedTable.ts). Memory holds one shard, whatever the catalog's size. A rerun of
 * the same command makes only the shards that are not done; a change of model or option is refused unless
 * --restart. When every shard is done they are merged, in row order, into `predictions_full.parquet`.
 *
 * Shard k's numbers do not depend on which process or machine made it: its batches start at the shard's first row,
 * and pass t of model m uses the dropout seed predictPassSeed(seed, m) + t, as in `predict`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { field, resolveFields } from '../../util/fields.js';
import { InputError } from '../../util/errors.js';
import { formatSeconds } from '../../util/progress.js';
import { RunFolder } from '../../util/runFolder.js';
import { describeBackend } from '../../backend/initBackend.js';
import { planCatalogShards, readShardRows, type CatalogShardPlan } from '../../data/catalogShards.js';
import {
  mergeShardedTable, ShardedTable, strayTemporaryFiles, type LeftOut, type ShardColumn, type ShardReceipt, type ShardedTableSpec,
} from '../../data/shardedTable.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { resolveModelFolder } from '../../models/pretrained.js';
import { DIHEDRAL_VIEWS } from '../../nn/dihedralView.js';
import { PREDICT_BALD_FIELDS, PREDICT_FIELDS, type PredictOptions } from './predict.js';
import { checkEnsemble, predictPasses, type EnsembleMember } from './predictPasses.js';
import { summarisePasses } from './predictSummary.js';
import { fullPredictionTable, withBald, type PredictionTable } from './predictTable.js';
import { galaxyBald } from '../activeLearning/activeLearnBald.js';
import { makeMissingShards } from '../shardRun.js';

/** The options only the streaming predict has. */
export const PREDICT_SHARD_FIELDS = {
  shardSize: field.integer({
    default: 4096, min: 1, max: 1_000_000, flag: '--shard-size <n>',
    help: 'stream the catalog (CSV, Parquet or sim:<count>) in Parquet shards of n galaxies with a manifest: flat memory, resumable after a crash (rerun the same command), merged into predictions_full.parquet',
  }),
  restart: field.boolean({ default: false, flag: '--restart', help: 'with --shard-size: delete shards made with another model or options instead of refusing them' }),
};

/** Batches a shard's decode worker thread keeps ready ahead of inference. */
const PREFETCH_BATCHES = 2;

export const PREDICT_SHARDED_FIELDS = { ...PREDICT_FIELDS, ...PREDICT_BALD_FIELDS, ...PREDICT_SHARD_FIELDS };
export type PredictShardedOptions = PredictOptions & { bald: boolean; shardSize: number; restart: boolean };

/** What every shard of a predict table is made with (the manifest's `settings`). */
export interface PredictShardSettings {
  /** Model folders, resolved. */
  models: string[];
  passes: number;
  tta: boolean;
  nominalN: number;
  batchSize: number;
  seed: number;
  onBad: 'error' | 'skip';
  /**
   * true: every shard also gets the BALD columns. Recorded only when true, so the fingerprint of a table made without
   * BALD is the one it had before the sharded predict could write them (such tables resume as they were).
   */
  bald?: true;
  /** How to read any shard of the catalog. */
  catalog: Omit<CatalogShardPlan, 'shards' | 'rows' | 'identity' | 'source'>;
}

/** SHA-256 of a checkpoint folder's model.json and weights.bin: the same weights under any path give the same id. */
export function modelId(folder: string): string {
  const hash = createHash('sha256');
  for (const name of ['model.json', 'weights.bin']) {
    try {
      hash.update(readFileSync(join(folder, name)));
    } catch (e) {
      throw new InputError(`cannot read the model's ${name} (${(e as Error).message})`, { file: join(folder, name) }, 'pass a model folder saved by galmorph train, or a shipped model name such as gz2');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The spec of the table `predict --shard-size` / `queue submit predict` makes (one home for both). */
export async function predictTableSpec(options: PredictShardedOptions): Promise<{ spec: ShardedTableSpec; plan: CatalogShardPlan }> {
  if (options.models.length === 0) throw new InputError('no model given', {}, 'pass at least one --model folder or shipped model name (e.g. gz2)');
  const folders = options.models.map((m) => resolve(resolveModelFolder(m)));
  const plan = await planCatalogShards(options.catalog, options.shardSize, { allowAbsolutePaths: options.allowAbsolutePaths });
  const { kind, header, idColumn, imageColumn, imageDir, allowAbsolutePaths } = plan;
  const settings: PredictShardSettings = {
    models: folders, passes: options.passes, tta: options.tta, nominalN: options.nominalN, batchSize: options.batchSize, seed: options.seed, onBad: options.onBad,
    ...(options.bald ? { bald: true as const } : {}),
    catalog: { kind, header, idColumn, imageColumn, imageDir, allowAbsolutePaths },
  };
  const spec: ShardedTableSpec = {
    kind: 'predict',
    model: { name: options.models.join(','), id: folders.map(modelId).join(',') },
    settings: settings as unknown as Record<string, unknown>,
    catalog: { source: plan.source, rows: plan.rows, identity: plan.identity },
    shardSize: options.shardSize,
    shards: plan.shards,
  };
  return { spec, plan };
}

/** Makes shards of one predict table; loads the models once (a queue worker keeps one per table). */
export class PredictShardRunner {
  private readonly settings: PredictShardSettings;
  private readonly plan: CatalogShardPlan;
  private readonly members: EnsembleMember[];

  constructor(readonly table: ShardedTable) {
    const m = table.manifest;
    if (m.kind !== 'predict') throw new InputError(`the table was made by "${m.kind}", not predict`, { file: table.dir }, 'pass the folder of a predict job');
    this.settings = m.settings as unknown as PredictShardSettings;
    this.plan = { ...this.settings.catalog, source: m.catalog.source, rows: m.catalog.rows, identity: m.catalog.identity, shards: m.shards };
    this.members = this.settings.models.map((dir) => {
      const loaded = loadBayesianCnn(dir);
      return { model: loaded.model, preprocessing: loaded.preprocessing, source: dir };
    });
    checkEnsemble(this.members);
  }

  /** Makes shard `index` and writes it (replacing whatever was there); returns its receipt. */
  async run(index: number): Promise<ShardReceipt> {
    const t0 = performance.now();
    const s = this.settings;
    const { rows, leftOut } = await readShardRows(this.plan, this.table.shard(index), s.onBad);
    const all: LeftOut[] = [...leftOut];
    let table: PredictionTable;
    if (rows.length === 0) {
      table = this.predictionTable([], Array.from({ length: s.passes * this.members.length }, () => []));
    } else {
      const outputs = await predictPasses(this.members, rows, {
        passes: s.passes, views: s.tta ? DIHEDRAL_VIEWS : 1, seed: s.seed, batchSize: s.batchSize, progress: false, onBad: s.onBad, prefetch: PREFETCH_BATCHES,
      });
      all.push(...outputs.badImages.map((b) => ({ id: b.id, reason: b.reason })));
      table = this.predictionTable(outputs.ids, outputs.passes);
    }
    const columns: ShardColumn[] = [{ name: 'id', type: 'STRING', data: table.ids }, ...table.header.map((name, k) => ({ name, type: 'DOUBLE' as const, data: table.columns[k] }))];
    return this.table.writeShard(index, columns, { leftOut: all, seconds: (performance.now() - t0) / 1000 });
  }

  /** The full prediction table of a shard's galaxies (none: the header alone), with the BALD columns when asked for. */
  private predictionTable(ids: string[], passes: number[][][]): PredictionTable {
    const s = this.settings;
    const [{ model }] = this.members;
    const summary = summarisePasses(model.head, model.schema, passes, s.nominalN);
    const table = fullPredictionTable(ids, summary);
    if (s.bald !== true) return table;
    const bald = galaxyBald(model.head, model.schema, passes, ids, summary.probabilityAsked, s.nominalN, s.seed);
    return bald === null ? table : withBald(table, bald, model.schema);
  }

  dispose(): void {
    for (const m of this.members) m.model.dispose();
  }
}

export interface PredictShardedResult {
  galaxies: number;
  leftOut: LeftOut[];
  shards: number;
  /** Shards found done when the run started (resumed). */
  shardsDoneBefore: number;
  /** Galaxies per second over the shards this run made (null when it made none). */
  galaxiesPerSecond: number | null;
  /** Galaxies per CPU second of this process (all its threads) over the shards this run made: the per-core rate, robust to other load. */
  galaxiesPerCpuSecond: number | null;
  peakRssMb: number;
  files: { predictions: string; summary: string; results: string };
}

/** `galmorph predict --shard-size N`: every missing shard on this machine, then the merge. */
export async function predictSharded(given: Partial<PredictShardedOptions> & Pick<PredictOptions, 'models' | 'catalog' | 'out'>): Promise<PredictShardedResult> {
  const options = resolveFields(PREDICT_SHARDED_FIELDS, given) as PredictShardedOptions;
  using run = new RunFolder(options.out);
  run.log(describeBackend());
  run.writeJson('config.json', { command: 'predict', ...options });
  const { spec } = await predictTableSpec(options);
  const table = ShardedTable.create(options.out, spec, { restart: options.restart });
  const stats = await makeMissingShards(table, run, () => new PredictShardRunner(table), { label: 'predict', verb: 'predicted', progress: options.progress });
  const merged = await finishPredictTable(table, run, stats);
  return { ...merged, ...stats };
}

/**
 * Merges a finished predict table into `predictions_full.parquet` and writes results.json and summary.md beside it
 * (`predict --shard-size` at its end; `galmorph queue merge`).
 */
export async function finishPredictTable(
  table: ShardedTable, run: RunFolder, extra: { galaxiesPerSecond: number | null; galaxiesPerCpuSecond: number | null; shardsDoneBefore: number | null },
): Promise<Omit<PredictShardedResult, 'shardsDoneBefore' | 'galaxiesPerSecond' | 'galaxiesPerCpuSecond'>> {
  const file = run.path('predictions_full.parquet');
  const merged = await mergeShardedTable(table, file);
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const m = table.manifest;
  const stray = strayTemporaryFiles(table.dir);
  const results = {
    galaxies: merged.rows, leftOutCount: merged.leftOut.length, leftOut: merged.leftOut.slice(0, 1000), shards: merged.shards, shardSize: m.shardSize,
    shardsDoneBefore: extra.shardsDoneBefore, galaxiesPerSecond: extra.galaxiesPerSecond, galaxiesPerCpuSecond: extra.galaxiesPerCpuSecond, shardSeconds: merged.shardSeconds, peakRssMb,
    model: m.model, catalog: m.catalog, fingerprint: m.fingerprint, idsCheckedUnique: merged.idsChecked, strayTemporaryFiles: stray.length,
  };
  const resultsPath = run.writeJson('results.json', results);
  const summary = run.writeText('summary.md', [
    '# Predictions (sharded)',
    '',
    `${merged.rows} galaxies from \`${m.catalog.source}\` (${m.catalog.rows} rows) in ${merged.shards} shards of ${m.shardSize}, model(s) ${m.model.name}; ` +
      `every shard checked against its receipt (size, SHA-256) and merged in row order into \`predictions_full.parquet\` (columns as predict's predictions_full` +
      `${(m.settings as unknown as PredictShardSettings).bald === true ? ', with the BALD columns of --bald: `<question>_bald` and their sum `bald`' : ''}).`,
    extra.galaxiesPerSecond === null ? '' : `This run: ${extra.galaxiesPerSecond.toFixed(1)} galaxies/s of shard compute (wall clock), ${extra.galaxiesPerCpuSecond?.toFixed(1) ?? '?'} per CPU second; ${extra.shardsDoneBefore ?? 0} shards were already done. Peak RSS ${peakRssMb} MB.`,
    `Shard compute in total: ${formatSeconds(merged.shardSeconds)}.`,
    merged.leftOut.length > 0 ? `Left out (--on-bad skip): ${merged.leftOut.length} galaxies, listed with reasons in results.json (first 1000):` : 'No galaxies were left out.',
    ...merged.leftOut.slice(0, 20).map((s) => `- ${s.id}: ${s.reason}`),
    ...(merged.leftOut.length > 20 ? [`- … and ${merged.leftOut.length - 20} more`] : []),
    '',
  ].join('\n'));
  run.log(`merged ${merged.shards} shards, ${merged.rows} galaxies into ${file}; peak RSS ${peakRssMb} MB`);
  return { galaxies: merged.rows, leftOut: merged.leftOut, shards: merged.shards, peakRssMb, files: { predictions: file, summary, results: resultsPath } };
}
