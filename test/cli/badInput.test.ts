/**
 * The bad-input corpus (issue 10): each case damages a copy of one small simulated catalog (or its images, or the
 * command line) in one way, runs the galmorph command line in this process as `main` does, and checks the exit code
 * and that the message names what a user must fix — the file, and where there is one the row and the column. Cases
 * run with `--on-bad skip` also check that what was left out is counted and listed in results.json.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CommanderError } from 'commander';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { describeError } from '../../src/util/errors.js';
import { initBackend } from '../../src/backend/initBackend.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { BayesianCnn } from '../../src/models/bayesianCnn.js';
import { saveBayesianCnn } from '../../src/models/bayesianCnnCheckpoint.js';
import { resolvePreprocessOptions } from '../../src/data/preprocess.js';
import { dataBytes, headerBytes, card } from '../data/fitsBytes.js';

const root = mkdtempSync(join(tmpdir(), 'gm-bad-'));
const base = join(root, 'base');
const model = join(root, 'model');
const N = 24;
let outs = 0;

interface Run {
  code: number;
  /** The error message (as main prints it) and everything the command printed. */
  text: string;
}

/** `galmorph …args` in this process, with main's exit codes: 1 for an error, commander's for a usage error, or the command's own. */
async function galmorph(args: string[]): Promise<Run> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
  process.exitCode = 0;
  try {
    const program = buildProgram();
    program.configureOutput({ writeErr: (s) => void printed.push(s), writeOut: (s) => void printed.push(s) });
    await program.parseAsync(['node', 'galmorph', ...args]);
    return { code: Number(process.exitCode ?? 0), text: printed.join('\n') };
  } catch (e) {
    const code = e instanceof CommanderError ? e.exitCode : 1;
    return { code, text: `galmorph: ${describeError(e)}\n${printed.join('\n')}` };
  } finally {
    process.exitCode = 0;
    log.mockRestore();
    err.mockRestore();
  }
}

const out = () => join(root, `out-${++outs}`);

/** A fresh copy of the simulated catalog folder. */
function copy(): string {
  const dir = mkdtempSync(join(root, 'cat-'));
  cpSync(base, dir, { recursive: true });
  return dir;
}

/** labels.csv of `dir` as lines of fields (the simulator writes no quoted fields). */
function lines(dir: string): string[][] {
  return readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
}
function writeLines(dir: string, rows: string[][]): void {
  writeFileSync(join(dir, 'labels.csv'), rows.map((r) => r.join(',')).join('\n') + '\n');
}
/** Sets the cell of data row `row` (1-based) in `column`. */
function setCell(dir: string, row: number, column: string, value: string): void {
  const rows = lines(dir);
  const c = rows[0].indexOf(column);
  if (c < 0) throw new Error(`no column ${column}`);
  rows[row][c] = value;
  writeLines(dir, rows);
}
/** A copy with the given cells changed. */
function withCells(...cells: Array<[row: number, column: string, value: string]>): string {
  const dir = copy();
  for (const [r, c, v] of cells) setCell(dir, r, c, v);
  return dir;
}
/** A copy whose answer columns hold fractions (or percentages with scale 100), the question sums kept. */
function asFractions(scale = 1): string {
  const dir = copy();
  const schema = getSchema('gz2');
  const rows = lines(dir);
  for (const r of rows.slice(1)) {
    for (const q of schema.questions) {
      const cols = q.answers.map((a) => rows[0].indexOf(a.column));
      const total = cols.reduce((s, c) => s + Number(r[c]), 0);
      for (const c of cols) r[c] = total === 0 ? '0' : String((scale * Number(r[c])) / total);
    }
  }
  writeLines(dir, rows);
  return dir;
}
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));

/** `galmorph check` reading the table only (images are decoded by `checkImages`, for the cases about images). */
const check = (dir: string, ...more: string[]) => galmorph(['check', dir, '--schema', 'gz2', '--size', '16', '--sample', '0', '--no-decode', '--out', out(), ...more]);
const checkImages = (dir: string, ...more: string[]) => galmorph(['check', dir, '--schema', 'gz2', '--size', '16', '--sample', '0', '--out', out(), ...more]);
const predict = (dir: string, o: string, ...more: string[]) => galmorph(['predict', '--model', model, '--catalog', dir, '--out', o, '--passes', '2', '--backend', 'cpu', ...more]);
const TRAIN_SMALL = ['--image-size', '16', '--blocks', '4/4', '--dense-units', '8', '--batch-size', '16', '--passes', '2', '--workers', '1', '--backend', 'cpu', '--epochs', '1'];
const train = (dir: string, o: string, ...more: string[]) => galmorph(['train', '--data', dir, '--out', o, ...TRAIN_SMALL, ...more]);
/** Fails while reading the catalog (the cases that reach training use the workflow's own tests). */
const activeLearn = (dir: string, o: string) => galmorph(['active-learn', '--data', dir, '--out', o, '--image-size', '16', '--workers', '1', '--backend', 'cpu']);

async function png(path: string, side: number): Promise<void> {
  await sharp(Buffer.alloc(side * side, 90), { raw: { width: side, height: side, channels: 1 } }).png().toFile(path);
}
function fits(path: string, values: number[], side: number): void {
  const header = headerBytes([card('SIMPLE', true), card('BITPIX', -32), card('NAXIS', 2), card('NAXIS1', side), card('NAXIS2', side)]);
  writeFileSync(path, Buffer.concat([header, dataBytes(values, -32)]));
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  const sim = await galmorph(['simulate', '--n', String(N), '--size', '16', '--schema', 'gz2', '--grid', '0', '--seed', '3', '--out', base]);
  if (sim.code !== 0) throw new Error(sim.text);
  const net = new BayesianCnn({ schema: getSchema('gz2').def, imageSize: 16, blocks: [[4], [4]], denseUnits: 8, seed: 1 });
  saveBayesianCnn(model, net, { preprocessing: resolvePreprocessOptions({ size: 16 }), step: 0, optimizer: null });
  net.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  name: string;
  run: () => Promise<Run>;
  code: number;
  message: RegExp;
}

const cases: Case[] = [
  // Label cells (train and check refuse them; the message names file, row and column).
  { name: 'a negative count (train)', run: () => train(withCells([3, 'Class1.2', '-4']), out()), code: 1, message: /labels\.csv, row 3, column "Class1\.2": negative count -4/ },
  { name: 'a NaN count (check)', run: () => check(withCells([5, 'Class1.1', 'NaN'])), code: 2, message: /labels\.csv, row 5, column "Class1\.1": empty or NaN cell/ },
  { name: 'a text count (train)', run: () => train(withCells([2, 'Class2.1', 'many']), out()), code: 1, message: /labels\.csv, row 2, column "Class2\.1": "many" is not a number/ },
  { name: 'an empty cell in a labelled row (check)', run: () => check(withCells([7, 'Class3.2', ''])), code: 2, message: /labels\.csv, row 7, column "Class3\.2": empty or NaN cell/ },
  { name: 'a fractional count in a counts file (train)', run: () => train(withCells([4, 'Class1.3', '2.5']), out()), code: 1, message: /labels\.csv, row 4, column "Class1\.3": count 2\.5 is not a whole number.*read as counts \(auto: 23 of 24 labelled rows/ },
  { name: 'an implausible count of 1e12 votes (train)', run: () => train(withCells([6, 'Class1.1', '1000000000000']), out()), code: 1, message: /labels\.csv, row 6, column "Class1\.1": count 1000000000000 is implausibly large/ },
  { name: 'a row whose counts are all 0 (check)', run: () => check(zeroRow(8)), code: 2, message: /labels\.csv, row 8, column "Class1\.1": every answer count is 0/ },
  { name: 'a duplicate id (train)', run: () => train(withCells([9, 'id', 'sim-0000000']), out()), code: 1, message: /labels\.csv, row 9, column "id": duplicate id "sim-0000000" \(first in row 1\)/ },
  { name: 'an empty id (predict)', run: () => predict(withCells([2, 'id', '']), out()), code: 1, message: /labels\.csv, row 2, column "id": empty id/ },
  { name: 'every answer empty: check finds what train refuses', run: () => check(unlabelledRow(11)), code: 2, message: /labels\.csv, row 11: no labels \(every answer column empty\) — train and active-learn refuse it/ },
  { name: 'every answer empty (train)', run: () => train(unlabelledRow(11), out()), code: 1, message: /labels\.csv: 1 rows have no labels \(first: "sim-0000010"\).*--on-bad skip/ },
  { name: 'NaN counts (active-learn, the row is not dropped silently)', run: () => activeLearn(withCells([3, 'Class1.1', 'NaN']), out()), code: 1, message: /labels\.csv, row 3, column "Class1\.1": empty or NaN cell/ },
  { name: 'a bad row in table1 --data', run: () => galmorph(['experiment', 'table1', '--data', withCells([12, 'Class1.2', '-1']), '--schema', 'gz2', '--out', out()]), code: 1, message: /labels\.csv, row 12, column "Class1\.2": negative count -1/ },

  // Label kind (item 8): a stray value does not flip the file; the reason and --label-kind are named.
  { name: 'one fraction above 1 in a fractions file (train)', run: () => train(fractionAbove1(), out()), code: 1, message: /labels\.csv, row 5, column "Class1\.1": fraction 1\.5 is above 1 — .*read as fractions \(auto: 23 of 24 labelled rows hold values in \[0, 1\].*--label-kind/ },
  { name: 'percentages are recognised (check)', run: () => check(asFractions(100)), code: 0, message: /labels read as percentages \(auto: 24 of 24 labelled rows/ },
  { name: 'percentages forced to be fractions (check)', run: () => check(asFractions(100), '--label-kind', 'fractions'), code: 2, message: /labels\.csv, row 1, column "Class1\.\d": fraction \d+(\.\d+)? is above 1 — .*read as fractions \(forced by --label-kind\)/ },
  { name: 'an unknown --label-kind', run: () => check(base, '--label-kind', 'votes'), code: 1, message: /option '--label-kind <kind>' argument 'votes' is invalid\. Allowed choices are auto, counts, fractions, percentages/ },
  { name: 'an unknown --on-bad', run: () => check(base, '--on-bad', 'ignore'), code: 1, message: /option '--on-bad <policy>' argument 'ignore' is invalid\. Allowed choices are error, skip/ },

  // Malformed CSV records (item 9).
  { name: 'a record with too few fields (train)', run: () => train(shortRow(4), out()), code: 1, message: /labels\.csv, row 4: has 37 fields but the header has 39 — .*--on-bad skip/ },
  { name: 'a record with too many fields (predict)', run: () => predict(longRow(6), out()), code: 1, message: /labels\.csv, row 6: has 40 fields but the header has 39/ },
  { name: 'a short record with --on-bad skip (check lists it)', run: () => check(shortRow(4), '--on-bad', 'skip'), code: 0, message: /row: .*labels\.csv, row 4: has 37 fields but the header has 39/ },

  // Images (items 4, 5, 7).
  { name: 'a missing image (predict)', run: () => predict(withCells([3, 'image_file', 'images/nope.png']), out()), code: 1, message: /labels\.csv, row 3, column "image_file": image "images\/nope\.png" does not exist/ },
  { name: 'a corrupt image (predict)', run: () => predict(corruptImage(4), out()), code: 1, message: /sim-0000003\.png: cannot decode PNG.*--on-bad skip/ },
  { name: 'a corrupt image (check)', run: () => checkImages(corruptImage(4)), code: 2, message: /image: .*images\/sim-0000003\.png: cannot decode PNG/ },
  { name: 'a 1×1 image is refused, not upscaled (check)', run: () => tinyImage(5).then((d) => checkImages(d)), code: 2, message: /images\/sim-0000004\.png: image is only 1×1 pixels/ },
  { name: 'a FITS image with half its pixels NaN is reported (check)', run: () => checkImages(nanFits(6, 0.5)), code: 0, message: /warning: .*images\/half\.fits: 128 of 256 pixels \(50\.0%\) are NaN or BLANK/ },
  { name: 'an all-NaN FITS image (check)', run: () => checkImages(nanFits(6, 1)), code: 2, message: /images\/half\.fits: every one of the 256 pixels is NaN or BLANK/ },
  { name: 'an image file name that is not UTF-8 (check)', run: () => check(latin1Name()), code: 2, message: /labels\.csv, row 2, column "image_file": image "images\/gal\u00e1xia\.png" does not exist .*not valid UTF-8/ },

  // Paths leaving the catalog folder (item 6): refused before anything is opened.
  { name: 'an image path ../../etc/passwd (check)', run: () => check(withCells([2, 'image_file', '../../etc/passwd'])), code: 2, message: /labels\.csv, row 2, column "image_file": image path "\.\.\/\.\.\/etc\/passwd" leads outside the catalog folder .*it was not opened/ },
  { name: 'an image path into a sibling folder (train)', run: () => train(withCells([3, 'image_file', '../other/x.png']), out()), code: 1, message: /labels\.csv, row 3, column "image_file": image path "\.\.\/other\/x\.png" leads outside the catalog folder/ },
  { name: 'an absolute image path (predict)', run: () => predict(withCells([4, 'image_file', join(base, 'images', 'sim-0000003.png')]), out()), code: 1, message: /labels\.csv, row 4, column "image_file": absolute image path ".*sim-0000003\.png" outside the catalog folder .* refused.*--allow-absolute-paths/ },
  { name: 'an absolute image path with --allow-absolute-paths (predict)', run: () => predict(withCells([4, 'image_file', join(base, 'images', 'sim-0000003.png')]), out(), '--allow-absolute-paths'), code: 0, message: /24 galaxies: .*predictions\.csv/ },
  { name: 'an id holding ../ used as the file name (check)', run: () => check(idAsFileName('../../secret')), code: 2, message: /labels\.csv, row 1, column "id": id "\.\.\/\.\.\/secret" cannot name an image file/ },

  // Files that are not comma-separated UTF-8 CSV (item 10).
  { name: 'a UTF-16 file (check)', run: () => check(reencoded('utf16le')), code: 1, message: /labels\.csv: the file is UTF-16 \(byte-order mark FF FE\), not UTF-8 text/ },
  { name: 'a Latin-1 file (train)', run: () => train(latin1File(), out()), code: 1, message: /labels\.csv: the file is not valid UTF-8: byte 0xE1 at offset \d+ \(line 2\)/ },
  { name: 'a semicolon-separated file (train)', run: () => train(separated(';'), out()), code: 1, message: /labels\.csv, row 0: the file is not comma-separated: its header line is one column holding 38 semicolons \(semicolon-separated\?\)/ },
  { name: 'a tab-separated file (check)', run: () => check(separated('\t')), code: 1, message: /labels\.csv, row 0: the file is not comma-separated: .*38 tabs \(tab-separated\?\)/ },
  { name: 'labels.csv is a folder (EISDIR)', run: () => check(csvFolder()), code: 1, message: /labels\.csv: is a folder, not a file/ },
  { name: 'a --schema path that is a folder (check)', run: () => check(base, '--schema', root), code: 1, message: /gm-bad-\w+: is a folder, not a file/ },
  { name: 'a header-only catalog (train)', run: () => train(headerOnly(), out()), code: 1, message: /labels\.csv: the catalog has a header but no rows/ },
  { name: 'a header-only catalog (predict)', run: () => predict(headerOnly(), out()), code: 1, message: /labels\.csv: the catalog has a header but no rows/ },
  { name: 'both alias and Kaggle columns for one answer (check)', run: () => check(aliasAndKaggle()), code: 1, message: /labels\.csv, column "q1_smooth": answer "q1_smooth" has 2 columns: "Class1\.1" and "q1_smooth"/ },
  { name: 'every row bad with --on-bad skip (predict)', run: () => predict(allBad(), out(), '--on-bad', 'skip'), code: 1, message: /labels\.csv: no usable galaxies: all 24 rows were left out as bad/ },
  { name: 'a catalog path that does not exist (check)', run: () => check(join(root, 'nowhere')), code: 1, message: /nowhere: no such file or folder/ },

  // Output folders and options (item 10).
  { name: '--out is a file (train)', run: () => train(base, outFile()), code: 1, message: /option "--out": expected a folder path, not an existing file \(or a path under one\), got ".*out-file"/ },
  { name: '--out lies under a file (predict)', run: () => predict(base, join(outFile(), 'sub')), code: 1, message: /option "--out": expected a folder path, not an existing file \(or a path under one\), got ".*out-file\/sub"/ },
  { name: 'a raw file-system error names the path (simulate --out under a file)', run: () => galmorph(['simulate', '--n', '2', '--size', '16', '--grid', '0', '--out', join(outFile(), 'sub')]), code: 1, message: /out-file\/sub: a part of the path is a file, not a folder \(cannot mkdir, ENOTDIR\)|out-file\/sub: already exists/ },
  { name: 'active-learn --preset paper without --data or --simulate', run: () => galmorph(['active-learn', '--preset', 'paper', '--out', out()]), code: 1, message: /no galaxies to learn from: neither --data nor --simulate \(> 0\) was given \(the paper preset does not simulate by default\) — pass --data DIR/ },
  { name: 'active-learn with both --data and --simulate', run: () => galmorph(['active-learn', '--data', base, '--simulate', '50', '--out', out()]), code: 1, message: /option "simulate": expected 0 or absent when --data is given/ },
  { name: 'an unknown class label with the schema\'s class list (check)', run: () => classCatalog().then(([dir, schema]) => galmorph(['check', dir, '--schema', schema, '--size', '16', '--sample', '0', '--out', out()])), code: 2, message: /labels\.csv, row 2, column "class": unknown class "spirall": schema "classes" has 2 classes: 0 elliptical, 1 spiral/ },
];

function zeroRow(row: number): string {
  const dir = copy();
  const rows = lines(dir);
  rows[row] = rows[row].map((v, c) => (c < 2 ? v : '0'));
  writeLines(dir, rows);
  return dir;
}
function unlabelledRow(row: number): string {
  const dir = copy();
  const rows = lines(dir);
  rows[row] = rows[row].map((v, c) => (c < 2 ? v : ''));
  writeLines(dir, rows);
  return dir;
}
function fractionAbove1(): string {
  const dir = asFractions();
  setCell(dir, 5, 'Class1.1', '1.5');
  return dir;
}
function shortRow(row: number): string {
  const dir = copy();
  const rows = lines(dir);
  rows[row] = rows[row].slice(0, -2);
  writeLines(dir, rows);
  return dir;
}
function longRow(row: number): string {
  const dir = copy();
  const rows = lines(dir);
  rows[row].push('7');
  writeLines(dir, rows);
  return dir;
}
function corruptImage(row: number): string {
  const dir = copy();
  writeFileSync(join(dir, 'images', `sim-000000${row - 1}.png`), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('not a PNG after all')]));
  return dir;
}
async function tinyImage(row: number): Promise<string> {
  const dir = copy();
  await png(join(dir, 'images', `sim-000000${row - 1}.png`), 1);
  return dir;
}
function nanFits(row: number, nanFraction: number): string {
  const dir = copy();
  const values = Array.from({ length: 256 }, (_, i) => (i < 256 * nanFraction ? Number.NaN : i));
  fits(join(dir, 'images', 'half.fits'), values, 16);
  setCell(dir, row, 'image_file', 'images/half.fits');
  return dir;
}
function latin1Name(): string {
  const dir = copy();
  writeFileSync(Buffer.from(join(dir, 'images', 'gal\u00e1xia.png'), 'latin1'), readFileSync(join(dir, 'images', 'sim-0000001.png')));
  setCell(dir, 2, 'image_file', 'images/gal\u00e1xia.png');
  return dir;
}
function idAsFileName(id: string): string {
  const dir = copy();
  const rows = lines(dir);
  const kept = rows.map((r) => r.filter((_, c) => c !== 1));
  kept[1][0] = id;
  writeLines(dir, kept);
  return dir;
}
function reencoded(encoding: 'utf16le'): string {
  const dir = copy();
  const text = readFileSync(join(dir, 'labels.csv'), 'utf8');
  writeFileSync(join(dir, 'labels.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, encoding)]));
  return dir;
}
function latin1File(): string {
  const dir = copy();
  setCell(dir, 1, 'id', 'gal\u00e1xia');
  writeFileSync(join(dir, 'labels.csv'), Buffer.from(readFileSync(join(dir, 'labels.csv'), 'utf8'), 'latin1'));
  return dir;
}
function separated(delimiter: string): string {
  const dir = copy();
  writeFileSync(join(dir, 'labels.csv'), lines(dir).map((r) => r.join(delimiter)).join('\n') + '\n');
  return dir;
}
function csvFolder(): string {
  const dir = copy();
  rmSync(join(dir, 'labels.csv'));
  mkdirSync(join(dir, 'labels.csv'));
  return dir;
}
function headerOnly(): string {
  const dir = copy();
  writeLines(dir, lines(dir).slice(0, 1));
  return dir;
}
function aliasAndKaggle(): string {
  const dir = copy();
  writeLines(dir, lines(dir).map((r, k) => [...r, k === 0 ? 'q1_smooth' : r[2]]));
  return dir;
}
function allBad(): string {
  const dir = copy();
  writeLines(dir, lines(dir).map((r, k) => (k === 0 ? r : [r[0], 'images/missing.png', ...r.slice(2)])));
  return dir;
}
function outFile(): string {
  const file = join(mkdtempSync(join(root, 'o-')), 'out-file');
  writeFileSync(file, 'not a folder');
  return file;
}
async function classCatalog(): Promise<[string, string]> {
  const dir = mkdtempSync(join(root, 'class-'));
  mkdirSync(join(dir, 'images'));
  for (const id of ['a', 'b', 'c']) await png(join(dir, 'images', `${id}.png`), 16);
  writeFileSync(join(dir, 'labels.csv'), 'id,image_file,class\na,a.png,elliptical\nb,b.png,spirall\nc,c.png,spiral\n');
  const schema = join(dir, 'schema.json');
  writeFileSync(schema, JSON.stringify({
    name: 'classes', questions: [{ key: 'shape', text: 'Shape?', answers: [{ key: 'round', text: 'Round' }, { key: 'flat', text: 'Flat' }] }], classes: ['elliptical', 'spiral'],
  }));
  return [dir, schema];
}

describe('bad-input corpus: exit code and a message naming file, row and column', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name', async ({ run, code, message }) => {
    const r = await run();
    expect(r.text).toMatch(message);
    expect(r.code).toBe(code);
  });
});

describe('--on-bad skip counts and lists what it leaves out', () => {
  it('predict keeps every galaxy whatever its unused label columns hold (one fraction > 1, a missing answer column)', async () => {
    const dir = fractionAbove1();
    const rows = lines(dir);
    writeLines(dir, rows.map((r) => r.filter((_, c) => c !== rows[0].indexOf('Class2.2'))));
    const o = out();
    const r = await predict(dir, o);
    expect(r.code).toBe(0);
    expect(results(o)).toMatchObject({ galaxies: N, skippedCount: 0 });
  });

  it('predict lists a missing and a corrupt image (row, id, reason) in results.json and summary.md', async () => {
    const dir = corruptImage(4);
    setCell(dir, 2, 'image_file', 'images/nope.png');
    const o = out();
    const r = await predict(dir, o, '--on-bad', 'skip');
    expect(r.code).toBe(0);
    const res = results(o);
    expect(res.galaxies).toBe(N - 2);
    expect(res.skippedCount).toBe(2);
    expect(res.skipped[0]).toMatchObject({ row: 2, id: 'sim-0000001', kind: 'row' });
    expect(res.skipped[0].reason).toMatch(/labels\.csv, row 2, column "image_file": image "images\/nope\.png" does not exist/);
    expect(res.skipped[1]).toMatchObject({ row: null, id: 'sim-0000003', kind: 'image' });
    expect(res.skipped[1].reason).toMatch(/sim-0000003\.png: cannot decode PNG/);
    expect(readFileSync(join(o, 'summary.md'), 'utf8')).toMatch(/Left out \(--on-bad skip\): 2 galaxies[\s\S]*- row sim-0000001 \(row 2\)/);
  });

  it('predict with a malformed record and --on-bad skip goes on and lists it', async () => {
    const o = out();
    const r = await predict(shortRow(4), o, '--on-bad', 'skip');
    expect(r.code).toBe(0);
    const res = results(o);
    expect(res.galaxies).toBe(N - 1);
    expect(res.skipped).toEqual([expect.objectContaining({ row: 4, kind: 'row', reason: expect.stringMatching(/row 4: has 37 fields but the header has 39/) })]);
  });

  it('train --resume accepts the same catalog given relatively, then absolutely', async () => {
    const dir = copy();
    const o = out();
    const first = await train(relative(process.cwd(), dir), o);
    expect(first.code, first.text).toBe(0);
    const again = await train(dir, o, '--resume', '--epochs', '2');
    expect(again.code, again.text).toBe(0);
    expect(JSON.parse(readFileSync(join(o, 'history.json'), 'utf8'))).toHaveLength(2);
  });

  it('check --on-bad skip exits 0 while usable rows remain, and says what a run would leave out', async () => {
    const o = out();
    const r = await galmorph(['check', withCells([2, 'Class1.1', '-1']), '--schema', 'gz2', '--size', '16', '--sample', '0', '--on-bad', 'skip', '--out', o]);
    expect(r.code).toBe(0);
    expect(results(o)).toMatchObject({ badRows: 1, wouldStop: false, onBad: 'skip' });
    expect(readFileSync(join(o, 'summary.md'), 'utf8')).toMatch(/A run with --on-bad skip would leave out 1 of 24 rows and go on with 23/);
  });
});

// Keep the chmod import meaningful: a folder the user cannot read is named as such (skipped when running as root).
it.skipIf(process.getuid?.() === 0)('an unreadable labels.csv is named with "permission denied"', async () => {
  const dir = copy();
  chmodSync(join(dir, 'labels.csv'), 0o000);
  const r = await check(dir);
  expect(r.code).toBe(1);
  expect(r.text).toMatch(/labels\.csv: permission denied/);
  expect(existsSync(join(dir, 'labels.csv'))).toBe(true);
});
