/**
 * `galmorph check`: read a catalog as every training job would, decode every image, and report what is wrong —
 * the rows and images a long run with `--on-bad skip` would leave out, with file, row, column and reason — so a user
 * can fix a catalog before spending hours on it. Writes a run folder: config, results (JSON), skipped rows (CSV),
 * a sample image grid and a Markdown summary.
 */
import { readCatalog } from '../../data/catalogRead.js';
import { loadResolved } from '../../data/image.js';
import { resolvePreprocessOptions } from '../../data/preprocess.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { markdownTable } from '../../report/markdownTable.js';
import { ProgressBar } from '../../util/progress.js';
import { RunFolder } from '../../util/runFolder.js';
import { field, resolveFields, type FieldValues } from '../../util/fields.js';
import { NOMINAL_N_FIELD, SCHEMA_FIELD } from '../commonFields.js';

/** `galmorph check`'s options, declared once (API type, defaults, validation; CLI flags). */
export const CHECK_FIELDS = {
  catalog: field.string({ default: '', help: 'catalog file (CSV/Parquet) or a folder holding labels.csv and images/' }),
  schema: SCHEMA_FIELD,
  out: field.string({ default: 'runs/check', flag: '--out <dir>', help: 'report folder' }),
  decode: field.boolean({ default: true, flag: '--no-decode', help: 'only check that the image files exist (default: decode every image, as training would)' }),
  size: field.integer({ default: 64, min: 8, max: 1024, flag: '--size <px>', help: 'decode size, as training would use (and of the sample grid)' }),
  crop: field.number({ default: 1, min: 1e-6, max: 1e5, flag: '--crop <x>', help: 'central crop before resizing: fraction of the side or whole pixels' }),
  sample: field.integer({ default: 32, min: 0, max: 1024, flag: '--sample <n>', help: 'images shown in the sample grid' }),
  nominalN: NOMINAL_N_FIELD,
};

export type CheckCatalogOptions = FieldValues<typeof CHECK_FIELDS>;

export interface BadItem {
  row: number | null;
  id: string;
  kind: 'row' | 'image';
  reason: string;
}

export interface CheckCatalogResult {
  source: string;
  schema: string;
  labelKind: string;
  rowsRead: number;
  rowsUsable: number;
  badRows: number;
  badImages: number;
  labelledQuestions: string[];
  bad: BadItem[];
  out: string;
}

export async function checkCatalog(given: Partial<CheckCatalogOptions>): Promise<CheckCatalogResult> {
  const opts = resolveFields(CHECK_FIELDS, given);
  const preprocess = resolvePreprocessOptions({ size: opts.size, crop: opts.crop });
  const run = new RunFolder(opts.out);
  run.writeJson('config.json', { ...opts, preprocess });
  run.log(`checking ${opts.catalog} against schema ${opts.schema}`);

  const catalog = await readCatalog(opts.catalog, { schema: opts.schema, onBad: 'skip', nominalN: opts.nominalN });
  const bad: BadItem[] = catalog.skipped.map((s) => ({ row: s.row, id: s.id, kind: 'row', reason: s.reason }));
  run.log(`${catalog.rows.length} usable rows, ${catalog.skipped.length} bad rows (label kind: ${catalog.labelKind})`);

  const samples: GridImage[] = [];
  const captions: string[] = [];
  let badImages = 0;
  if (opts.decode) {
    const bar = new ProgressBar({ label: 'decoding', total: catalog.rows.length, unit: 'img' });
    const stride = Math.max(1, Math.floor(catalog.rows.length / Math.max(1, opts.sample)));
    for (let i = 0; i < catalog.rows.length; i++) {
      const row = catalog.rows[i];
      try {
        const img = await loadResolved(row.image, preprocess);
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

  const result: CheckCatalogResult = {
    source: catalog.source,
    schema: catalog.schema.name,
    labelKind: catalog.labelKind,
    rowsRead: catalog.rows.length + catalog.skipped.length,
    rowsUsable: catalog.rows.length - badImages,
    badRows: catalog.skipped.length,
    badImages,
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
      { item: 'label kind', value: result.labelKind },
      { item: 'rows read', value: result.rowsRead },
      { item: 'bad rows (left out with --on-bad skip)', value: result.badRows },
      { item: 'bad images', value: result.badImages },
      { item: 'usable galaxies', value: result.rowsUsable },
      { item: 'questions with labels', value: result.labelledQuestions.join(', ') || '—' },
    ], { columns: ['item', 'value'] }),
    '',
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
