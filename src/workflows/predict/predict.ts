/**
 * `galmorph predict`: load one or several Bayesian CNNs (an equal-weight ensemble), run T MC-dropout passes over a
 * catalog's galaxies and write per-answer vote fractions, 90% intervals, P(asked) and expected votes as CSV and
 * Parquet — a friendly table (fractions of questions with P(asked) < 0.5 left blank) and a full one — with the
 * resolved config, a JSON summary, a Markdown summary and a log in the run folder. Both tables also carry each
 * galaxy's BALD per question and in total with `--bald` (which galaxies volunteers should label next; off by default: it costs more than the passes),
 * computed from the same passes.
 */
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { InputError } from '../../util/errors.js';
import { ALLOW_ABSOLUTE_PATHS_FIELD, catalogReadOptions, COMPUTE_FIELDS, NOMINAL_N_FIELD, ON_BAD_FIELD, outFolder, PROGRESS_FIELD, TTA_FIELD } from '../commonFields.js';
import { DIHEDRAL_VIEWS } from '../../nn/dihedralView.js';
import { RunFolder } from '../../util/runFolder.js';
import { mean } from '../../util/stats.js';
import { describeBackend } from '../../backend/initBackend.js';
import { readCatalog, requireRows } from '../../data/catalogRead.js';
import { writeCsv } from '../../data/csv.js';
import { writeParquet } from '../../data/parquet.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { predictPasses, type EnsembleMember } from './predictPasses.js';
import { summarisePasses } from './predictSummary.js';
import { DEFAULT_ASKED_THRESHOLD, friendlyPredictionTable, fullPredictionTable, withBald, type PredictionTable } from './predictTable.js';
import { galaxyBald, type GalaxyBald } from '../activeLearning/activeLearnBald.js';

/** `galmorph predict`'s options, declared once (API type, defaults, validation; CLI flags). */
export const PREDICT_FIELDS = {
  models: field.strings({ default: [], flag: '--model <dir...>', help: 'model folder(s) or shipped model name(s) such as gz2; several form an equal-weight ensemble' }),
  catalog: field.string({ default: '', flag: '--catalog <dir>', help: 'catalog folder or table of galaxies to predict (label columns, if any, are not read)' }),
  out: outFolder({ default: '', flag: '--out <dir>', help: 'output folder' }),
  passes: field.integer({ default: 15, min: 1, max: 1000, flag: '--passes <n>', help: 'MC-dropout passes per model' }),
  tta: TTA_FIELD,
  nominalN: field.with(NOMINAL_N_FIELD, { help: 'nominal volunteers N for the expected votes' }),
  askedThreshold: field.number({ default: DEFAULT_ASKED_THRESHOLD, min: 0, max: 1, flag: '--asked-threshold <p>', help: 'friendly table blanks questions with P(asked) below this' }),
  batchSize: field.integer({ default: 64, min: 1, max: 4096, flag: '--batch-size <n>', help: 'galaxies per forward batch' }),
  seed: field.with(COMPUTE_FIELDS.seed, { help: 'seed of the dropout masks' }),
  onBad: ON_BAD_FIELD,
  allowAbsolutePaths: ALLOW_ABSOLUTE_PATHS_FIELD,
  progress: PROGRESS_FIELD,
};

export type PredictOptions = FieldValues<typeof PREDICT_FIELDS>;

/** BALD columns, by `predict` and the sharded `predict --shard-size` / `queue submit predict` (predictShards.ts) alike. */
export const PREDICT_BALD_FIELDS = {
  bald: field.boolean({
    default: false, flag: '--bald',
    help: 'add the BALD columns (<question>_bald and their sum bald: mutual information of the votes and the weights from the passes, for choosing which galaxies to label next); off by default because its exact Dirichlet-multinomial sums cost more than the passes themselves',
  }),
};

/** A galaxy left out of the predictions (`onBad: 'skip'`): a bad catalog row or an unreadable image. */
export interface PredictSkipped {
  /** 1-based data row of the catalog (null for an image found bad while decoding). */
  row: number | null;
  id: string;
  kind: 'row' | 'image';
  reason: string;
}

export interface PredictResult {
  galaxies: number;
  /** Galaxies left out (count = length), with the reason of each. */
  skipped: PredictSkipped[];
  files: { friendlyCsv: string; friendlyParquet: string; fullCsv: string; fullParquet: string; summary: string };
}

export async function predict(given: Partial<PredictOptions & { bald: boolean }> & Pick<PredictOptions, 'models' | 'catalog' | 'out'>): Promise<PredictResult> {
  const options = resolveFields({ ...PREDICT_FIELDS, ...PREDICT_BALD_FIELDS }, given);
  const members: EnsembleMember[] = options.models.map((dir) => {
    const loaded = loadBayesianCnn(dir);
    return { model: loaded.model, preprocessing: loaded.preprocessing, source: dir };
  });
  try {
    using run = new RunFolder(options.out);
    run.log(describeBackend());
    const { model } = members[0];
    run.writeJson('config.json', { command: 'predict', ...options, schema: model.schema.name, head: model.config.head, target: model.config.target, preprocessing: members[0].preprocessing });
    // Labels are not read: prediction needs ids and images only, whatever label columns the catalog also has.
    const catalog = await readCatalog(options.catalog, { schema: model.schema, ...catalogReadOptions(options) });
    run.log(`${catalog.rows.length} galaxies from ${catalog.source}; ${catalog.skipped.length} rows skipped; ${members.length} model(s) × ${options.passes} passes` +
      (options.tta ? ', pass t on the (t mod 8)-th rotation/mirror of each image' : ''));
    const outputs = await predictPasses(members, requireRows(catalog), {
      passes: options.passes, views: options.tta ? DIHEDRAL_VIEWS : 1, seed: options.seed, batchSize: options.batchSize, progress: options.progress, onBad: options.onBad,
    });
    const skipped: PredictSkipped[] = [
      ...catalog.skipped.map((s) => ({ row: s.row, id: s.id, kind: 'row' as const, reason: s.reason })),
      ...outputs.badImages.map((b) => ({ row: null, id: b.id, kind: 'image' as const, reason: b.reason })),
    ];
    for (const s of skipped) run.log(`skipped ${s.kind} ${s.id}: ${s.reason}`);
    if (outputs.ids.length === 0) {
      throw new InputError(`no galaxy could be predicted: all ${skipped.length} were left out (first: ${skipped[0]?.reason ?? 'none'})`, { file: catalog.source }, 'fix the catalog and images (galmorph check lists every problem)');
    }
    const summary = summarisePasses(model.head, model.schema, outputs.passes, options.nominalN);
    let bald: GalaxyBald | null = null;
    if (options.bald) {
      const t0 = performance.now();
      bald = galaxyBald(model.head, model.schema, outputs.passes, outputs.ids, summary.probabilityAsked, options.nominalN, options.seed);
      run.log(bald === null
        ? `BALD not computed: the ${model.config.head} head has no vote-count model for it`
        : `BALD of ${outputs.ids.length} galaxies × ${bald.questions.length} question(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const addBald = (table: PredictionTable) => (bald === null ? table : withBald(table, bald, model.schema));
    const files = {
      friendlyCsv: run.path('predictions.csv'),
      friendlyParquet: run.path('predictions.parquet'),
      fullCsv: run.path('predictions_full.csv'),
      fullParquet: run.path('predictions_full.parquet'),
      summary: run.path('summary.md'),
    };
    writeTable(addBald(friendlyPredictionTable(outputs.ids, summary, options.askedThreshold)), files.friendlyCsv, files.friendlyParquet);
    writeTable(addBald(fullPredictionTable(outputs.ids, summary)), files.fullCsv, files.fullParquet);
    const meanFractions = Object.fromEntries(summary.answers.map((a, k) => [a.key, mean(summary.fraction.map((f) => f[k]))]));
    run.writeJson('results.json', { galaxies: outputs.ids.length, skippedCount: skipped.length, skipped, meanFractions, bald: bald === null ? null : { meanTotal: mean(Array.from(bald.total)), maxTotal: bald.total.reduce((m, v) => Math.max(m, v), 0) } });
    run.writeText('summary.md', [
      `# Predictions`,
      '',
      `${outputs.ids.length} galaxies from \`${catalog.source}\`, ${members.length} model(s) (${options.models.join(', ')}), ${options.passes} MC-dropout passes each` +
        `${options.tta ? ' (test-time augmentation: pass t on the (t mod 8)-th rotation/mirror of each image)' : ''}, head \`${model.config.head}\`.`,
      `Expected votes assume N = ${options.nominalN} volunteers. In \`predictions.csv\` a question's fractions are blank when P(asked) < ${options.askedThreshold}; \`predictions_full.csv\` has every value with 90% intervals.`,
      bald === null ? 'No BALD columns.' : `\`<question>_bald\` is the mutual information (nats) between the votes the galaxy's question would get (round(N × P(asked)) of them) and the model's weights, from the passes; \`bald\` sums them: label the highest first.`,
      skipped.length > 0 ? `Left out (--on-bad skip): ${skipped.length} galaxies, listed with reasons in results.json:` : 'No galaxies were left out.',
      ...skipped.slice(0, 20).map((s) => `- ${s.kind} ${s.id}${s.row === null ? '' : ` (row ${s.row})`}: ${s.reason}`),
      ...(skipped.length > 20 ? [`- … and ${skipped.length - 20} more`] : []),
      '',
    ].join('\n'));
    run.log(`wrote ${files.friendlyCsv} and ${files.fullCsv}`);
    return { galaxies: outputs.ids.length, skipped, files };
  } finally {
    for (const m of members) m.model.dispose();
  }
}

function writeTable(table: PredictionTable, csvPath: string, parquetPath: string): void {
  const rows = table.ids.map((id, b) => [id, ...table.columns.map((c) => (Number.isNaN(c[b]) ? '' : c[b]))]);
  writeCsv(csvPath, ['id', ...table.header], rows);
  writeParquet(parquetPath, [{ name: 'id', data: table.ids }, ...table.header.map((name, k) => ({ name, data: Array.from(table.columns[k]) }))]);
}
