import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import sharp from 'sharp';
import { writeEmbeddings } from '../../../src/data/embeddingStore.js';
import { anomalies, type AnomaliesOptions } from '../../../src/workflows/anomalies/anomalies.js';
import { readCsv } from '../../../src/data/csv.js';
import { roundHalfEven } from '../../../src/workflows/anomalies/anomaliesData.js';
import { rankingMetrics } from '../../../src/workflows/anomalies/anomaliesMetrics.js';
import { terminalThumbnail } from '../../../src/workflows/anomalies/anomaliesInteractive.js';
import { Rng } from '../../../src/util/rng.js';

const N = 300;
const DIM = 16;
const PLANTED = 20;

interface Fixture {
  root: string;
  store: string;
  catalog: string;
  ids: string[];
  odd: number[];
}

/**
 * A small store and catalog: 300 galaxies with 16-d embeddings; the first 20 (planted anomalies, q6_odd_yes > 0.92)
 * sit in a cluster away from the others (q6_odd_yes < 0.1, every tenth 0.5). Images are 16 × 16 PNGs.
 */
async function makeFixture(): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'galmorph-anomalies-'));
  const rng = new Rng(21);
  const ids = Array.from({ length: N }, (_, i) => `g${1000 + i}`);
  const vectors = new Float32Array(N * DIM);
  const odd: number[] = [];
  for (let i = 0; i < N; i++) {
    const planted = i < PLANTED;
    for (let c = 0; c < DIM; c++) vectors[i * DIM + c] = rng.normal() + (planted && c < 4 ? 3.5 : 0);
    odd.push(planted ? 0.92 + 0.07 * rng.uniform() : i % 10 === 0 ? 0.5 : 0.1 * rng.uniform());
  }
  const store = join(root, 'embed');
  writeEmbeddings(store, ids, vectors, { model: { name: 'test', kind: 'synthetic', source: '', layer: 'synthetic vectors' }, dimension: DIM, shardSize: 128 });
  const catalog = join(root, 'catalog');
  mkdirSync(join(catalog, 'images'), { recursive: true });
  const png = (v: number) => sharp(Buffer.alloc(16 * 16 * 3, v), { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer();
  const [bright, dark] = [await png(220), await png(40)];
  const lines = ['galaxy_id,image_file,q6_odd_yes,q6_odd_no'];
  ids.forEach((id, i) => {
    writeFileSync(join(catalog, 'images', `${id}.png`), i < PLANTED ? bright : dark);
    lines.push(`${id},${id}.png,${odd[i]},${1 - odd[i]}`);
  });
  writeFileSync(join(catalog, 'labels.csv'), lines.join('\n') + '\n');
  return { root, store, catalog, ids, odd };
}

let fixture: Fixture;

beforeAll(async () => {
  fixture = await makeFixture();
});

const quick: Partial<AnomaliesOptions> = { components: 8, baselineComponents: 4, trees: 20, gpRestarts: 0, progress: false };

describe('anomalies: simulated rater end to end', () => {
  it('finds the planted anomalies far better than random and beside the isolation forest, writing the report', async () => {
    const out = join(fixture.root, 'sim');
    const result = await anomalies({ ...quick, embeddings: fixture.store, out, catalog: fixture.catalog, raterColumn: 'q6_odd_yes', rounds: 4, perRound: 10, seed: 1 });
    expect(result.anomalies).toBe(PLANTED);
    expect(result.ratings).toBe(40);
    const final = result.final!;
    const random = PLANTED / N;
    expect(final[0].k).toBe(50);
    // 20 anomalies among 300: a perfect top 50 has precision 0.4 and recall 1; random has 0.067 and 0.17
    expect(final[0].precision).toBeGreaterThan(4 * random);
    expect(final[0].recall).toBeGreaterThan(0.75);
    expect(result.baseline).not.toBeNull();

    const rounds = readCsv(join(out, 'rounds.csv'));
    expect(rounds.rows).toHaveLength(4);
    for (const col of ['precision_at_50', 'precision_at_150', 'precision_at_200', 'recall_at_50', 'recall_at_150', 'recall_at_200', 'iforest_precision_at_50']) {
      expect(rounds.header).toContain(col);
    }
    expect(Number(rounds.rows[3][rounds.header.indexOf('precision_at_50')])).toBeCloseTo(final[0].precision, 12);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.final.precision_at_50).toBeCloseTo(final[0].precision, 12);
    expect(results.anomalies.count).toBe(PLANTED);
    expect(results.random.expected_precision).toBeCloseTo(random, 12);
    for (const f of ['precision_vs_ratings.png', 'recall_vs_ratings.png', 'top_ranked.png', 'ranking.csv', 'summary.md', 'ratings.csv', 'config.json']) expect(existsSync(join(out, f))).toBe(true);
    expect(readCsv(join(out, 'ratings.csv')).rows).toHaveLength(40);
    // the ratings are the simulated interest round(5 × q6_odd_yes)
    const ratings = readCsv(join(out, 'ratings.csv'));
    for (const [id, rating] of ratings.rows) expect(Number(rating)).toBe(roundHalfEven(5 * fixture.odd[fixture.ids.indexOf(id)]));
  });

  it('is deterministic for a seed', async () => {
    const a = await anomalies({ ...quick, embeddings: fixture.store, out: join(fixture.root, 'det-a'), catalog: fixture.catalog, raterColumn: 'q6_odd_yes', rounds: 2, perRound: 5, seed: 3 });
    const b = await anomalies({ ...quick, embeddings: fixture.store, out: join(fixture.root, 'det-b'), catalog: fixture.catalog, raterColumn: 'q6_odd_yes', rounds: 2, perRound: 5, seed: 3 });
    expect(readFileSync(a.files.ratings, 'utf8')).toBe(readFileSync(b.files.ratings, 'utf8'));
    expect(a.final).toEqual(b.final);
  });
});

describe('anomalies: interactive rater', () => {
  const run = async (out: string, answers: string) => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const result = await anomalies({ ...quick, embeddings: fixture.store, out, catalog: fixture.catalog, interactive: true, rounds: 2, perRound: 5, seed: 2 },
      { input: Readable.from([answers]), output });
    return { result, text, prompts: (text.match(/interest 0–5/g) ?? []).length };
  };

  it('saves after every answer, stops on q, and resumes from the ratings file exactly where an unbroken session would be', async () => {
    const answers = ['3', '0', '5', '1', '4', '2', '0', '0', '1', '5'];
    const first = await run(join(fixture.root, 'inter'), `${answers.slice(0, 3).join('\n')}\nq\n`);
    expect(first.result.stopped).toBe(true);
    expect(first.result.ratings).toBe(3);
    expect(readCsv(join(fixture.root, 'inter', 'ratings.csv')).rows.map((r) => r[1])).toEqual(['3', '0', '5']);
    // a bad answer is asked again
    const second = await run(join(fixture.root, 'inter'), `9\n${answers.slice(3).join('\n')}\n`);
    expect(second.text).toContain('"9" is not a rating');
    expect(second.text).toContain('galaxy g');
    expect(second.result.stopped).toBe(false);
    expect(second.result.ratings).toBe(10);
    expect(second.prompts).toBe(8); // 7 galaxies + the repeated question; the 3 rated before are not asked again
    const unbroken = await run(join(fixture.root, 'inter-unbroken'), `${answers.join('\n')}\n`);
    expect(readFileSync(join(fixture.root, 'inter', 'ratings.csv'), 'utf8')).toBe(readFileSync(join(fixture.root, 'inter-unbroken', 'ratings.csv'), 'utf8'));
    expect(existsSync(join(fixture.root, 'inter', 'to_rate.png'))).toBe(true);
    expect(unbroken.result.final).toBeNull(); // no rater column: no metrics
  });

  it('draws a thumbnail as half blocks whose colours are the image\'s pixels', async () => {
    const thumb = await terminalThumbnail(join(fixture.catalog, 'images', 'g1000.png'), 8);
    const lines = thumb.split('\n');
    expect(lines).toHaveLength(4); // two pixel rows per text row
    expect((lines[0].match(/▀/g) ?? []).length).toBe(8);
    expect(lines[0]).toContain('\x1b[38;2;220;220;220m\x1b[48;2;220;220;220m▀'); // the planted galaxies' images are grey 220
  });

  it('the end of the input stops and keeps the ratings', async () => {
    const r = await run(join(fixture.root, 'eof'), '2\n');
    expect(r.result.stopped).toBe(true);
    expect(r.result.ratings).toBe(1);
  });
});

describe('anomalies: bad input', () => {
  it('an unknown rater column is refused, listing the columns', async () => {
    await expect(anomalies({ ...quick, embeddings: fixture.store, out: join(fixture.root, 'bad1'), catalog: fixture.catalog, raterColumn: 'q6_nope' }))
      .rejects.toThrow(/labels\.csv: no column "q6_nope" for the simulated rater — choose --rater-column among: galaxy_id, image_file, q6_odd_yes, q6_odd_no/);
  });

  it('a ratings file with a rating outside 0–5 is refused, naming row and column', async () => {
    const out = join(fixture.root, 'bad2');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'ratings.csv'), 'id,rating,round\ng1001,3,0\ng1002,7,0\n');
    await expect(anomalies({ ...quick, embeddings: fixture.store, out, interactive: true }, { input: Readable.from(['']), output: new PassThrough() }))
      .rejects.toThrow(/ratings\.csv, row 2, column "rating": rating "7" is not a whole number from 0 to 5/);
    writeFileSync(join(out, 'ratings.csv'), 'id,rating,round\nnot-a-galaxy,3,0\n');
    await expect(anomalies({ ...quick, embeddings: fixture.store, out, interactive: true }, { input: Readable.from(['']), output: new PassThrough() }))
      .rejects.toThrow(/row 1, column "id": galaxy "not-a-galaxy" is not in the embeddings/);
  });

  it('a rater scale that puts simulated ratings outside 0–5 is refused, naming the row', async () => {
    await expect(anomalies({ ...quick, embeddings: fixture.store, out: join(fixture.root, 'bad3'), catalog: fixture.catalog, raterColumn: 'q6_odd_yes', raterScale: 10 }))
      .rejects.toThrow(/row 1, column "q6_odd_yes": galaxy "g1000": the simulated rating round\(10 × 0\.9\d+\) = 10 is outside 0–5/);
  });

  it('the simulated rater without a catalog is refused with what to do', async () => {
    await expect(anomalies({ ...quick, embeddings: fixture.store, out: join(fixture.root, 'bad4') }))
      .rejects.toThrow(/the simulated rater needs --catalog and --rater-column .* or rate the galaxies yourself with --interactive/);
  });
});

describe('ranking metrics and rounding', () => {
  it('precision and recall at K count the anomalies among the K highest scores (ties to the lower index)', () => {
    const scores = [0.9, 0.1, 0.8, 0.8, 0.2, 0.7];
    const anomaly = [1, 1, 0, 1, 0, 0];
    const [m2, m4] = rankingMetrics(scores, anomaly, [2, 4]);
    expect(m2).toEqual({ k: 2, found: 1, precision: 0.5, recall: 1 / 3 }); // indices 0, 2
    expect(m4).toEqual({ k: 4, found: 2, precision: 0.5, recall: 2 / 3 }); // 0, 2, 3, 5
  });

  it('interest rounds half to even, as numpy.around', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 4.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 5]);
  });
});
