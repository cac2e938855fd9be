/**
 * `galmorph predict`: load one or several Bayesian CNNs (an equal-weight ensemble), run T MC-dropout passes over a
 * catalog's galaxies and write per-answer vote fractions, 90% intervals, P(asked) and expected votes as CSV and
 * Parquet — a friendly table (fractions of questions with P(asked) < 0.5 left blank) and a full one — with the
 * resolved config, a JSON summary, a Markdown summary and a log in the run folder.
 */
import { check, resolveOptions, type Spec } from '../../util/options.js';
import { OptionError } from '../../util/errors.js';
import { RunFolder } from '../../util/runFolder.js';
import { mean } from '../../util/stats.js';
import { describeBackend } from '../../backend/initBackend.js';
import { readCatalog } from '../../data/catalogRead.js';
import { writeCsv } from '../../data/csv.js';
import { writeParquet } from '../../data/parquet.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { predictPasses, type EnsembleMember } from './predictPasses.js';
import { summarisePasses } from './predictSummary.js';
import { DEFAULT_ASKED_THRESHOLD, friendlyPredictionTable, fullPredictionTable, type PredictionTable } from './predictTable.js';

export interface PredictOptions {
  /** Model folders (one = a single model, several = an equal-weight ensemble). */
  models: string[];
  /** Catalog folder or table of galaxies to predict (labels not needed). */
  catalog: string;
  /** Output run folder. */
  out: string;
  /** MC-dropout passes per model. @default 15 */
  passes: number;
  /** Nominal number of volunteers N for expected votes. @default 40 */
  votes: number;
  /** Friendly table blanks fractions of questions with P(asked) below this. @default 0.5 */
  askedThreshold: number;
  /** Galaxies per forward batch. @default 64 */
  batchSize: number;
  /** Seed of the dropout masks. @default 0 */
  seed: number;
  /** Show a progress bar. @default true */
  progress: boolean;
}

const DEFAULTS: Omit<PredictOptions, 'models' | 'catalog' | 'out'> = {
  passes: 15, votes: 40, askedThreshold: DEFAULT_ASKED_THRESHOLD, batchSize: 64, seed: 0, progress: true,
};

const SPEC: Spec<PredictOptions> = {
  models: (v, name) => {
    if (!Array.isArray(v) || v.length === 0 || v.some((m) => typeof m !== 'string' || m.length === 0)) throw new OptionError(name, 'one or more model folders', v);
  },
  catalog: check.string(),
  out: check.string(),
  passes: check.integer(1, 1000),
  votes: check.integer(1, 100_000),
  askedThreshold: check.number(0, 1),
  batchSize: check.integer(1, 4096),
  seed: check.integer(0),
  progress: check.boolean(),
};

export interface PredictResult {
  galaxies: number;
  files: { friendlyCsv: string; friendlyParquet: string; fullCsv: string; fullParquet: string; summary: string };
}

export async function predict(given: Partial<PredictOptions> & Pick<PredictOptions, 'models' | 'catalog' | 'out'>): Promise<PredictResult> {
  const options = resolveOptions({ ...DEFAULTS, models: given.models, catalog: given.catalog, out: given.out }, SPEC, given);
  const members: EnsembleMember[] = options.models.map((dir) => {
    const loaded = loadBayesianCnn(dir);
    return { model: loaded.model, preprocessing: loaded.preprocessing, source: dir };
  });
  try {
    const run = new RunFolder(options.out);
    run.log(describeBackend());
    const { model } = members[0];
    run.writeJson('config.json', { command: 'predict', ...options, schema: model.schema.name, head: model.config.head, target: model.config.target, preprocessing: members[0].preprocessing });
    const catalog = await readCatalog(options.catalog, { schema: model.schema, onBad: 'skip', labelKind: 'auto' });
    run.log(`${catalog.rows.length} galaxies from ${catalog.source}; ${catalog.skipped.length} rows skipped; ${members.length} model(s) × ${options.passes} passes`);
    const outputs = await predictPasses(members, catalog.rows, { passes: options.passes, seed: options.seed, batchSize: options.batchSize, progress: options.progress });
    const summary = summarisePasses(model.head, model.schema, outputs.passes, options.votes);
    const files = {
      friendlyCsv: run.path('predictions.csv'),
      friendlyParquet: run.path('predictions.parquet'),
      fullCsv: run.path('predictions_full.csv'),
      fullParquet: run.path('predictions_full.parquet'),
      summary: run.path('summary.md'),
    };
    writeTable(friendlyPredictionTable(outputs.ids, summary, options.askedThreshold), files.friendlyCsv, files.friendlyParquet);
    writeTable(fullPredictionTable(outputs.ids, summary), files.fullCsv, files.fullParquet);
    const meanFractions = Object.fromEntries(summary.answers.map((a, k) => [a.key, mean(summary.fraction.map((f) => f[k]))]));
    run.writeJson('results.json', { galaxies: outputs.ids.length, skippedRows: catalog.skipped, meanFractions });
    run.writeText('summary.md', [
      `# Predictions`,
      '',
      `${outputs.ids.length} galaxies from \`${catalog.source}\`, ${members.length} model(s) (${options.models.join(', ')}), ${options.passes} MC-dropout passes each, head \`${model.config.head}\`.`,
      `Expected votes assume N = ${options.votes} volunteers. In \`predictions.csv\` a question's fractions are blank when P(asked) < ${options.askedThreshold}; \`predictions_full.csv\` has every value with 90% intervals.`,
      catalog.skipped.length > 0 ? `Skipped catalog rows: ${catalog.skipped.length} (listed in results.json).` : 'No catalog rows were skipped.',
      '',
    ].join('\n'));
    run.log(`wrote ${files.friendlyCsv} and ${files.fullCsv}`);
    return { galaxies: outputs.ids.length, files };
  } finally {
    for (const m of members) m.model.dispose();
  }
}

function writeTable(table: PredictionTable, csvPath: string, parquetPath: string): void {
  const rows = table.ids.map((id, b) => [id, ...table.columns.map((c) => (Number.isNaN(c[b]) ? '' : c[b]))]);
  writeCsv(csvPath, ['id', ...table.header], rows);
  writeParquet(parquetPath, [{ name: 'id', data: table.ids }, ...table.header.map((name, k) => ({ name, data: Array.from(table.columns[k]) }))]);
}
