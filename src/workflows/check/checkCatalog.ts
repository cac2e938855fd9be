/**
 * `galmorph check`: read a catalog as every training job would, decode every image, and report what is wrong —
 * the rows and images a long run with `--on-bad skip` would leave out, with file, row, column and reason — so a user
 * can fix a catalog before spending hours on it. Writes a run folder: config, results (JSON), skipped rows (CSV),
 * a sample image grid and a Markdown summary.
 */
import { readCatalog } from '../../data/catalogRead.js';
import { loadDetailed } from '../../data/image.js';
import { resolvePreprocessOptions } from '../../data/preprocess.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { markdownTable } from '../../report/markdownTable.js';
import { ProgressBar } from '../../util/progress.js';
import { RunFolder } from '../../util/runFolder.js';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { CATALOG_FIELDS, catalogReadOptions, NOMINAL_N_FIELD, outFolder, SCHEMA_FIELD } from '../commonFields.js';

/** `galmorph check`'s options, declared once (API type, defaults, validation; CLI flags). */
export const CHECK_FIELDS = {
  catalog: field.string({ default: '', help: 'catalog file (CSV/Parquet) or a folder holding labels.csv and images/' }),
  schema: SCHEMA_FIELD,
  out: outFolder({ default: 'runs/check', flag: '--out <dir>', help: 'report folder' }),
  decode: field.boolean({ default: true, flag: '--no-decode', help: 'only check that the image files exist (default: decode every image, as training would)' }),
  size: field.integer({ default: 64, min: 8, max: 1024, flag: '--size <px>', help: 'decode size, as training would use (and of the sample grid)' }),
  crop: field.number({ default: 1, min: 1e-6, max: 1e5, flag: '--crop <x>', help: 'central crop before resizing: fraction of the side or whole pixels' }),
  sample: field.integer({ default: 32, min: 0, max: 1024, flag: '--sample <n>', help: 'images shown in the sample grid' }),
  nominalN: NOMINAL_N_FIELD,
  /** The policy a later run will use: with 'error' any problem fails the check (exit 2), with 'skip' only a catalog with nothing usable. */
  ...CATALOG_FIELDS,
};

export type CheckCatalogOptions = FieldValues<typeof CHECK_FIELDS>;

/**
 * A problem found: a bad row (train, predict and active-learn refuse it, or leave it out with --on-bad skip), an
 * unlabelled row of a labelled catalog (train and active-learn refuse it; predict does not read labels), an
 * unreadable image, or a warning (an image with some NaN/BLANK pixels, read with them set to the background).
 */
export interface BadItem {
  row: number | null;
  id: string;
  kind: 'row' | 'unlabelled' | 'image' | 'warning';
  reason: string;
}

export interface CheckCatalogResult {
  source: string;
  schema: string;
  labelKind: string;
  /** Why the labels were read as `labelKind`. */
  labelKindReason: string;
  onBad: 'error' | 'skip';
  rowsRead: number;
  rowsUsable: number;
  badRows: number;
  badImages: number;
  /** Rows of a labelled catalog with every answer empty (train and active-learn refuse them). */
  unlabelledRows: number;
  /** Images read with some NaN/BLANK pixels. */
  warnings: number;
  /** Whether a run with the same --on-bad would stop on this catalog (every row and image bad, or any with 'error'). */
  wouldStop: boolean;
  /** What train/active-learn would say about the labels, if they cannot use them at all. */
  labelProblem: string | null;
  labelledQuestions: string[];
  bad: BadItem[];
  out: string;
}

export async function checkCatalog(given: Partial<CheckCatalogOptions>): Promise<CheckCatalogResult> {
  const opts = resolveFields(CHECK_FIELDS, given);
  const preprocess = resolvePreprocessOptions({ size: opts.size, crop: opts.crop });
  using run = new RunFolder(opts.out);
  run.writeJson('config.json', { ...opts, preprocess });
  run.log(`checking ${opts.catalog} against schema ${opts.schema}`);

  // Every problem is listed whatever --on-bad says; --on-bad only decides whether they would stop a run.
  const catalog = await readCatalog(opts.catalog, { schema: opts.schema, ...catalogReadOptions(opts), onBad: 'skip', nominalN: opts.nominalN });
  const bad: BadItem[] = catalog.skipped.map((s) => ({ row: s.row, id: s.id, kind: 'row', reason: s.reason }));
  const labelKindReason = catalog.labelKindReason ?? catalog.labelKind;
  run.log(`${catalog.rows.length} usable rows, ${catalog.skipped.length} bad rows (labels read as ${labelKindReason})`);
  const voteLabels = catalog.labelKind === 'counts' || catalog.labelKind === 'fractions';
  const labelProblem = voteLabels ? null : `train and active-learn need vote counts or fractions, but this catalog has ${catalog.labelKind === 'none' ? 'no label columns' : 'class labels'} (predict does not need labels)`;
  let unlabelledRows = 0;
  if (voteLabels) {
    const badRows = new Set(catalog.skipped.map((s) => s.row));
    let fileRow = 0;
    for (const row of catalog.rows) {
      do fileRow++; while (badRows.has(fileRow));
      if (row.counts !== undefined) continue;
      unlabelledRows++;
      bad.push({ row: fileRow, id: row.id, kind: 'unlabelled', reason: `${catalog.source}, row ${fileRow}: no labels (every answer column empty) — train and active-learn refuse it (--on-bad skip leaves it out); predict does not read labels` });
    }
  }

  const samples: GridImage[] = [];
  const captions: string[] = [];
  let badImages = 0;
  let warnings = 0;
  if (opts.decode) {
    const bar = new ProgressBar({ label: 'decoding', total: catalog.rows.length, unit: 'img' });
    const stride = Math.max(1, Math.floor(catalog.rows.length / Math.max(1, opts.sample)));
    for (let i = 0; i < catalog.rows.length; i++) {
      const row = catalog.rows[i];
      try {
        const { image: img, source } = await loadDetailed(row.image, preprocess);
        if (source.invalidPixels > 0) {
          warnings++;
          const total = source.width * source.height * source.bands;
          bad.push({ row: null, id: row.id, kind: 'warning', reason: `${row.image}: ${source.invalidPixels} of ${total} pixels (${(100 * source.invalidPixels / total).toFixed(1)}%) are NaN or BLANK; they are left out of the stretch and set to the background (0)` });
        }
        if (samples.length < opts.sample && i % stride === 0) {
          samples.push({ data: img.data, height: img.height, width: img.width, channels: img.channels as 1 | 3 });
          captions.push(row.id);
        }
      } catch (e) {
        badImages++;
        bad.push({ row: null, id: row.id, kind: 'image', reason: (e as Error).message });
      }
      bar.tick();
    }
    bar.finish();
  }

  const rowsUsable = catalog.rows.length - badImages - unlabelledRows;
  const problems = catalog.skipped.length + badImages + unlabelledRows;
  const result: CheckCatalogResult = {
    source: catalog.source,
    schema: catalog.schema.name,
    labelKind: catalog.labelKind,
    labelKindReason,
    onBad: opts.onBad,
    rowsRead: catalog.rows.length + catalog.skipped.length,
    rowsUsable,
    badRows: catalog.skipped.length,
    badImages,
    unlabelledRows,
    warnings,
    wouldStop: rowsUsable <= 0 || (opts.onBad === 'error' && problems > 0),
    labelProblem,
    labelledQuestions: catalog.schema.questions.filter((_, q) => catalog.labelledQuestions[q]).map((q) => q.key),
    bad,
    out: run.dir,
  };
  run.writeJson('results.json', result);
  writeCsvTable(run.path('bad_items.csv'), bad.map((b) => ({ row: b.row ?? '', id: b.id, kind: b.kind, reason: b.reason })), {
    columns: ['row', 'id', 'kind', 'reason'],
  });
  if (samples.length > 0) await writeImageGrid(run.path('sample_images.png'), samples, { cols: 8, captions, scale: 2 });
  const summary = [
    `# Catalog check: ${catalog.source}`,
    '',
    markdownTable([
      { item: 'schema', value: result.schema },
      { item: 'labels read as', value: result.labelKindReason },
      { item: 'rows read', value: result.rowsRead },
      { item: 'bad rows (left out with --on-bad skip)', value: result.badRows },
      { item: 'unlabelled rows (train and active-learn refuse them; left out with --on-bad skip)', value: result.unlabelledRows },
      { item: 'bad images (left out with --on-bad skip)', value: result.badImages },
      { item: 'images with NaN/BLANK pixels (read, with those pixels set to 0)', value: result.warnings },
      { item: 'usable galaxies', value: result.rowsUsable },
      { item: 'questions with labels', value: result.labelledQuestions.join(', ') || '—' },
    ], { columns: ['item', 'value'] }),
    '',
    labelProblem === null ? '' : `**Labels:** ${labelProblem}.\n`,
    result.wouldStop
      ? `**A run with --on-bad ${opts.onBad} would stop on this catalog**${rowsUsable <= 0 ? ' (no usable galaxy is left)' : ' (use --on-bad skip to leave the problems out)'}.\n`
      : problems > 0 ? `A run with --on-bad skip would leave out ${problems} of ${result.rowsRead} rows and go on with ${rowsUsable}.\n` : '',
    bad.length > 0 ? `First problems (all ${bad.length} in bad_items.csv):\n\n` +
      bad.slice(0, 10).map((b) => `- ${b.kind} ${b.id}: ${b.reason}`).join('\n') : 'No problems found.',
    '',
    samples.length > 0 ? '![sample images](sample_images.png)' : '',
    '',
  ].join('\n');
  run.writeText('summary.md', summary);
  run.log(`report written to ${run.dir}`);
  return result;
}
