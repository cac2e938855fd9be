import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/data/catalogRead.js';
import { writeCatalog } from '../../src/data/catalogWrite.js';
import { getSchema } from '../../src/data/schemas/index.js';
import { createSchema } from '../../src/data/schema.js';

/** A folder with images/<id>.png (empty files: only existence is checked) and labels.csv. */
function folder(csv: string, images: string[] = ['g1', 'g2', 'g3', 'g4', 'g5']): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  mkdirSync(join(dir, 'images'));
  for (const id of images) writeFileSync(join(dir, 'images', `${id}.png`), '');
  writeFileSync(join(dir, 'labels.csv'), csv);
  return dir;
}

const Q1_HEADER = 'id,image_file,q1_smooth,q1_features_or_disk,q1_star_or_artifact';

describe('readCatalog bad input names file, row and column', () => {
  const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
    ['a missing answer column', 'id,image_file,q1_smooth,q1_features_or_disk\ng1,g1.png,3,4\n', {}, /labels\.csv, column "q1_star_or_artifact": question "q1" of schema "q1" has columns .* but lacks "q1_star_or_artifact"/],
    ['an unknown answer column', `${Q1_HEADER},q1_maybe\ng1,g1.png,1,2,0,1\n`, {}, /labels\.csv, column "q1_maybe": column looks like an answer of question "q1".*ignoreColumns/],
    ['a negative count', `${Q1_HEADER}\ng1,g1.png,3,4,0\ng2,g2.png,3,-1,0\n`, {}, /labels\.csv, row 2, column "q1_features_or_disk": negative count -1/],
    ['a non-integer count', `${Q1_HEADER}\ng1,g1.png,3,4.5,0\n`, { labelKind: 'counts' }, /row 1, column "q1_features_or_disk": count 4\.5 is not a whole number/],
    ['an empty cell', `${Q1_HEADER}\ng1,g1.png,3,,2\n`, {}, /row 1, column "q1_features_or_disk": empty or NaN cell/],
    ['a NaN cell', `${Q1_HEADER}\ng1,g1.png,3,4,0\ng2,g2.png,NaN,4,0\n`, {}, /row 2, column "q1_smooth": empty or NaN cell/],
    ['a text cell', `${Q1_HEADER}\ng1,g1.png,3,4,0\ng2,g2.png,3,many,0\n`, {}, /row 2, column "q1_features_or_disk": "many" is not a number/],
    ['fractions not summing to 1', `${Q1_HEADER}\ng1,g1.png,0.5,0.5,0\ng2,g2.png,0.5,0.3,0\n`, {}, /row 2, column "q1_smooth": fractions of question "q1" sum to 0\.8, expected 1 within 0\.01/],
    ['a fraction above 1', `${Q1_HEADER}\ng1,g1.png,0.5,0.5,0\ng2,g2.png,1.5,0,0\n`, { labelKind: 'fractions' }, /row 2, column "q1_smooth": fraction 1\.5 is above 1/],
    ['a duplicate id', `${Q1_HEADER}\ng1,g1.png,1,2,0\ng2,g2.png,1,2,0\ng1,g1.png,1,2,0\n`, {}, /row 3, column "id": duplicate id "g1" \(first in row 1\)/],
    ['a missing image', `${Q1_HEADER}\ng1,g1.png,1,2,0\ng9,g9.png,1,2,0\n`, {}, /row 2, column "image_file": image "g9\.png" does not exist/],
    ['an empty id', `${Q1_HEADER}\n,g1.png,1,2,0\n`, {}, /row 1, column "id": empty id/],
    ['no id column', 'name,image_file\nx,g1.png\n', {}, /labels\.csv: no id column found — rename a column to "id" .*the readCatalog option idColumn/],
    ['a wrong field count', `${Q1_HEADER}\ng1,g1.png,1,2,0\ng2,g2.png,1,2\n`, {}, /labels\.csv, row 2: has 4 fields but the header has 5/],
    ['an unclosed quote', `${Q1_HEADER}\ng1,"g1.png,1,2,0\n`, {}, /labels\.csv, row 1: a quoted field is never closed/],
    ['an idColumn that does not exist', `${Q1_HEADER}\ng1,g1.png,1,2,0\n`, { idColumn: 'objid' }, /column "objid": option idColumn names column "objid", which the file lacks — the columns are: id, image_file/],
    ['labelKind counts without answer columns', 'id,image_file\ng1,g1.png\n', { labelKind: 'counts' }, /label kind "counts" needs answer columns, but the file has none/],
    ['a duplicated header column', 'id,id,image_file\ng1,g1,g1.png\n', {}, /row 0, column "id": column "id" appears twice in the header/],
  ];
  it.each(cases)('rejects %s', async (_name, csv, options, message) => {
    await expect(readCatalog(folder(csv), { schema: 'q1', ...options })).rejects.toThrow(message);
  });

  it('rejects class codes whose names disagree', async () => {
    const dir = folder('id,image_file,class_code,class_name\ng1,g1.png,0,elliptical\ng2,g2.png,0,spiral\n');
    await expect(readCatalog(dir)).rejects.toThrow(/row 2, column "class_name": class code 0 is named "spiral" here but "elliptical"/);
  });

  it('rejects a folder without a table, listing what it holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    writeFileSync(join(dir, 'votes.txt'), '');
    await expect(readCatalog(dir)).rejects.toThrow(/the folder has no labels\.csv .* the folder holds: votes\.txt/);
  });

  it('rejects unknown options by name', async () => {
    await expect(readCatalog(folder(`${Q1_HEADER}\n`), { onbad: 'skip' } as never)).rejects.toThrow(/option "onbad"/);
    await expect(readCatalog(folder(`${Q1_HEADER}\n`), { ignoreColumns: 'x' as never })).rejects.toThrow(/option "ignoreColumns": expected a list of column names/);
    await expect(readCatalog(folder(`${Q1_HEADER}\n`), { fractionTolerance: -1 })).rejects.toThrow(/option "fractionTolerance": expected a finite number in \[0, 1\], got -1/);
  });
});

describe('readCatalog', () => {
  it("onBad 'skip' lists bad rows and keeps every good one in order", async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,1,2,0\ng2,g2.png,1,-2,0\ng3,g3.png,5,0,1\ng9,g9.png,1,1,1\ng4,g4.png,0,0,3\ng3,g3.png,1,1,1\n`);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip' });
    expect(c.rows.map((r) => r.id)).toEqual(['g1', 'g3', 'g4']);
    expect(c.skipped.map((s) => [s.row, s.id])).toEqual([[2, 'g2'], [4, 'g9'], [6, 'g3']]);
    expect(c.skipped[0].reason).toMatch(/row 2, column "q1_features_or_disk": negative count/);
    expect(c.skipped[2].reason).toMatch(/duplicate id "g3" \(first in row 3\)/);
    expect(Array.from(c.rows[1].counts!)).toEqual([5, 0, 1]);
    expect(Array.from(c.rows[1].fractions!)).toEqual([5 / 6, 0, 1 / 6].map(Math.fround));
  });

  it("skips rows whose fractions do not sum, keeping the others", async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,0.5,0.5,0\ng2,g2.png,0.5,0.2,0\ng3,g3.png,0.2,0.7,0.1\n`);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip' });
    expect(c.labelKind).toBe('fractions');
    expect(c.rows.map((r) => r.id)).toEqual(['g1', 'g3']);
    expect(c.skipped.map((s) => s.row)).toEqual([2]);
    expect(Array.from(c.rows[0].counts!)).toEqual([20, 20, 0]); // nominalN 40
  });

  it('loads a simulator folder: images/<id>.png, id + image_file + one count column per answer, truth.csv beside', async () => {
    const schema = getSchema('gz2');
    const header = ['id', 'image_file', ...schema.answers.map((a) => a.column)];
    const counts = (k: number) => schema.answers.map((a) => (a.index + k) % 5);
    const dir = folder(`${header.join(',')}\ng1,images/g1.png,${counts(0).join(',')}\ng2,g2.png,${counts(1).join(',')}\n`, ['g1', 'g2']);
    writeFileSync(join(dir, 'truth.csv'), 'id,smooth\ng1,0.3\n');
    const c = await readCatalog(dir, { schema });
    expect(c.labelKind).toBe('counts');
    expect(c.labelledQuestions.every((x) => x)).toBe(true);
    expect(c.rows.map((r) => r.image)).toEqual([join(dir, 'images', 'g1.png'), join(dir, 'images', 'g2.png')]);
    expect(Array.from(c.rows[1].counts!)).toEqual(counts(1));
  });

  it('recognises Kaggle-weighted fractions and divides children by the parent answer', async () => {
    const dir = folder('galaxy_id,Class1.1,Class1.2,Class1.3,Class2.1,Class2.2\ng1,0.2,0.8,0,0.2,0.6\ng2,0.5,0.4,0.1,0.1,0.3\n', ['g1', 'g2']);
    const c = await readCatalog(dir, { schema: 'gz2' });
    expect(c.fractionStyle).toBe('kaggle-weighted');
    expect(c.rows[0].image).toBe(join(dir, 'images', 'g1.png'));
    expect(c.rows[1].fractions![3]).toBeCloseTo(0.25, 6);
    expect(c.rows[1].counts![3]).toBeCloseTo(0.25 * 40 * 0.4, 5);
    expect(c.labelledQuestions.map(Number).join('')).toBe('11000000000');
  });

  it('does not mistake DECaLS summary and derived columns, or ignored columns, for answers', async () => {
    const schema = getSchema('decals-dr5');
    const q = schema.question('smooth-or-featured');
    const header = ['iauname', ...q.answers.map((a) => a.column), 'smooth-or-featured_total-votes', 'smooth-or-featured_smooth_fraction', 'smooth-or-featured_odd'];
    const dir = folder(`${header.join(',')}\ng1,10,5,1,16,0.625,3\n`, ['g1']);
    await expect(readCatalog(dir, { schema })).rejects.toThrow(/column "smooth-or-featured_odd": column looks like an answer/);
    const c = await readCatalog(dir, { schema, ignoreColumns: ['smooth-or-featured_odd'] });
    expect(c.labelKind).toBe('counts');
    expect(Array.from(c.rows[0].counts!.slice(0, 3))).toEqual([10, 5, 1]);
  });

  it('treats a row whose answer cells are all empty as unlabelled', async () => {
    const c = await readCatalog(folder(`${Q1_HEADER}\ng1,g1.png,1,2,0\ng2,g2.png,,,\n`), { schema: 'q1' });
    expect(c.rows[1].counts).toBeUndefined();
    expect(c.rows[0].counts).toBeDefined();
  });
});

describe('readCatalog label kind, judged row by row and explained', () => {
  it('a stray fraction above 1 does not turn a fractions file into counts: that row is the bad one', async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,0.5,0.5,0\ng2,g2.png,0.2,0.7,0.1\ng3,g3.png,1.5,0,0\ng4,g4.png,0.25,0.75,0\n`);
    await expect(readCatalog(dir, { schema: 'q1' })).rejects.toThrow(/row 3, column "q1_smooth": fraction 1\.5 is above 1 — .*read as fractions \(auto: 3 of 4 labelled rows/);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip' });
    expect(c.labelKind).toBe('fractions');
    expect(c.rows.map((r) => r.id)).toEqual(['g1', 'g2', 'g4']);
    expect(c.skipped.map((x) => x.row)).toEqual([3]);
  });

  it('reads percentages as fractions ÷ 100 and says so; forcing another kind is possible', async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,62.5,37.5,0\ng2,g2.png,10,85.5,4.5\n`, ['g1', 'g2']);
    const c = await readCatalog(dir, { schema: 'q1' });
    expect(c.labelKind).toBe('fractions');
    expect(c.percentages).toBe(true);
    expect(c.labelKindReason).toMatch(/^percentages \(auto: 2 of 2 labelled rows/);
    expect(Array.from(c.rows[1].fractions!)).toEqual([0.1, 0.855, 0.045].map(Math.fround));
    await expect(readCatalog(dir, { schema: 'q1', labelKind: 'counts' })).rejects.toThrow(/row 1, column "q1_smooth": count 62\.5 is not a whole number — counts must be integers; the file is read as counts \(forced by --label-kind\)/);
  });

  it('counts stay counts when a few rows hold fractions; rows of only 0 and 1 do not vote', async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,1,0,0\ng2,g2.png,12,3,0\ng3,g3.png,0.5,0.5,0\ng4,g4.png,7,9,1\n`, ['g1', 'g2', 'g3', 'g4']);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip' });
    expect(c.labelKind).toBe('counts');
    expect(c.labelKindReason).toMatch(/counts \(auto: 2 of 4 labelled rows hold whole numbers above 1; 1 hold fractional values/);
    expect(c.skipped.map((x) => [x.row, x.reason.replace(/.*column/, 'column')])).toEqual([[3, expect.stringMatching(/column "q1_smooth": count 0\.5 is not a whole number/)]]);
  });

  it('flags implausible counts and all-zero rows', async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,3,4,0\ng2,g2.png,0,0,0\ng3,g3.png,1000000000000,0,0\n`, ['g1', 'g2', 'g3']);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip' });
    expect(c.rows.map((r) => r.id)).toEqual(['g1']);
    expect(c.skipped[0].reason).toMatch(/row 2, column "q1_smooth": every answer count is 0/);
    expect(c.skipped[1].reason).toMatch(/row 3, column "q1_smooth": count 1000000000000 is implausibly large/);
  });
});

describe('readCatalog with onBad skip', () => {
  it('leaves out records of the wrong field count and keeps the file row numbers of the rest', async () => {
    const dir = folder(`${Q1_HEADER}\ng1,g1.png,1,2,0\ng2,g2.png,1,2\ng3,g3.png,1,-2,0\ng4,g4.png,1,2,0,9\ng5,g5.png,3,3,3\n`);
    await expect(readCatalog(dir, { schema: 'q1' })).rejects.toThrow(/row 2: has 4 fields but the header has 5/);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip' });
    expect(c.rows.map((r) => r.id)).toEqual(['g1', 'g5']);
    expect(c.skipped.map((x) => [x.row, x.id])).toEqual([[2, 'g2'], [3, 'g3'], [4, 'g4']]);
    expect(c.skipped[1].reason).toMatch(/row 3, column "q1_features_or_disk": negative count -2/);
  });

  it('refuses image paths and ids that leave the catalog folder, and absolute paths unless allowed', async () => {
    const dir = folder(`id,image_file\ng1,../../etc/passwd\ng2,images/../../x.png\ng3,${join(tmpdir(), 'elsewhere.png')}\ng4,images/g4.png\n`);
    const c = await readCatalog(dir, { schema: 'q1', onBad: 'skip', checkImages: false });
    expect(c.rows.map((r) => r.id)).toEqual(['g4']);
    expect(c.skipped.map((x) => x.reason)).toEqual([
      expect.stringMatching(/row 1, column "image_file": image path "\.\.\/\.\.\/etc\/passwd" leads outside the catalog folder/),
      expect.stringMatching(/row 2, column "image_file": image path "images\/\.\.\/\.\.\/x\.png" leads outside/),
      expect.stringMatching(/row 3, column "image_file": absolute image path .* refused.*--allow-absolute-paths/),
    ]);
    const allowed = await readCatalog(dir, { schema: 'q1', onBad: 'skip', checkImages: false, allowAbsolutePaths: true });
    expect(allowed.rows.map((r) => r.id)).toEqual(['g3', 'g4']);
    const byId = folder('id,q1_smooth\n../g1,1\n', []);
    await expect(readCatalog(byId, { schema: 'q1', labelKind: 'none' })).rejects.toThrow(/row 1, column "id": id "\.\.\/g1" cannot name an image file/);
  });

  it('checks class labels against the schema\'s class list when it has one', async () => {
    const schema = createSchema({ ...getSchema('q1').def, classes: ['elliptical', 'spiral'] });
    const dir = folder('id,image_file,class\ng1,g1.png,spiral\ng2,g2.png,irregular\ng3,g3.png,elliptical\n');
    const c = await readCatalog(dir, { schema, onBad: 'skip' });
    expect(c.rows.map((r) => r.label)).toEqual([1, 0]);
    expect(c.classNames).toEqual(['elliptical', 'spiral']);
    expect(c.skipped[0].reason).toMatch(/row 2, column "class": unknown class "irregular": schema "q1" has 2 classes: 0 elliptical, 1 spiral/);
  });
});

describe('writeCatalog round trips', () => {
  it.each(['labels.csv', 'labels.parquet'])('counts with an unlabelled row through %s', async (name) => {
    const src = folder(`${Q1_HEADER}\ng1,g1.png,1,2,0\ng2,g2.png,,,\ng3,g3.png,7,0,33\n`);
    const c = await readCatalog(src, { schema: 'q1' });
    const out = mkdtempSync(join(tmpdir(), 'catalog-out-'));
    const file = writeCatalog(join(out, name), c);
    const back = await readCatalog(file, { schema: 'q1', imageDir: join(src, 'images') });
    expect(back.labelKind).toBe('counts');
    expect(back.rows.map((r) => [r.id, r.image])).toEqual(c.rows.map((r) => [r.id, r.image]));
    expect(back.rows.map((r) => r.counts && Array.from(r.counts))).toEqual(c.rows.map((r) => r.counts && Array.from(r.counts)));
  });

  it('per-question fractions of a partly labelled GZ2 catalog through Parquet', async () => {
    const src = folder('galaxy_id,q1_smooth,q1_features_or_disk,q1_star_or_artifact,q7_round_completely,q7_round_in_between,q7_round_cigar\ng1,0.25,0.75,0,0.2,0.05,0\n', ['g1']);
    const c = await readCatalog(src, { schema: 'gz2' });
    const file = writeCatalog(join(src, 'copy.parquet'), c);
    const back = await readCatalog(file, { schema: 'gz2' });
    expect(back.rows[0].image).toBe(c.rows[0].image);
    expect(back.labelledQuestions).toEqual(c.labelledQuestions);
    Array.from(back.rows[0].fractions!).forEach((v, i) => expect(v).toBeCloseTo(c.rows[0].fractions![i], 6));
    expect(back.rows[0].fractions![getSchema('gz2').answerIndex('q7_round_completely')]).toBeCloseTo(0.8, 6);
  });

  it('class labels with names through CSV into a new folder', async () => {
    const src = folder('sdss_objid,image_file,gz1_class_code,gz1_class_name\n588848901526192251,g1.png,2,acw\n2,g2.png,0,elliptical\n', ['g1', 'g2']);
    const c = await readCatalog(src);
    expect(c.rows[0].id).toBe('588848901526192251'); // beyond 2^53: kept as text
    expect(c.classNames).toEqual(['elliptical', 'class 1', 'acw']);
    const out = join(mkdtempSync(join(tmpdir(), 'catalog-out-')), 'nested');
    const back = await readCatalog(writeCatalog(out, c), { imageDir: join(src, 'images') });
    expect(back.rows.map((r) => r.label)).toEqual([2, 0]);
    expect(back.classNames).toEqual(c.classNames);
  });
});
