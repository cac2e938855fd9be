/**
 * How much of `galmorph anomalies`' score on the 3,000 labelled GZ2 galaxies comes from the encoder having trained on
 * those galaxies' own "odd" votes (README "Personalised anomalies on the real GZ2 data", issue 13). For each anomaly
 * run folder it rebuilds the final ranking of EVERY galaxy (ranking.csv keeps only the top 200): the run's last GP
 * (its hyper-parameters from results.json, its ratings from ratings.csv, the same standardised PCA of the store) gives
 * every galaxy's posterior mean, and the top 200 are checked against ranking.csv. It then splits the galaxies by the
 * shipped `gz2` model's id-hash split (data/split.ts `splitOf`, 80/10/10 — the split its model card records; its
 * test part equals pretrained/gz2/test_ids.txt), or by any id → group CSV given, and reports per group:
 *   - galaxies, anomalies, where the group's galaxies sit in the overall top 50,
 *   - precision at the group's share of the cut (k = round(50 · n_group / n): the same depth into the ranking),
 *   - average precision and ROC AUC of the posterior mean (threshold-free, less noisy than one cut),
 *   - the same leaving the rated galaxies out (their own ratings lift them);
 * and the top-50 false positives (odd value, rating, rated or not, group), to see what limits precision@50.
 * A diagnostic (not part of the CLI): its numbers are quoted in the README with the command below.
 *
 *   npx tsx scripts/anomalyContamination.ts [--groups ids.csv] RUN [RUN …] > out.md
 *
 * ids.csv, when given: columns id,group (any names; the first two columns are used).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../src/data/csv.js';
import { EmbeddingStore } from '../src/data/embeddingStore.js';
import { splitOf } from '../src/data/split.js';
import { GaussianProcess } from '../src/explore/gaussianProcess.js';
import { projectStore, readCatalogSide } from '../src/workflows/anomalies/anomaliesData.js';

const args = process.argv.slice(2);
let groupsFile: string | null = null;
if (args[0] === '--groups') {
  groupsFile = args[1];
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error('usage: npx tsx scripts/anomalyContamination.ts [--groups ids.csv] RUN [RUN …]');
  process.exit(2);
}
const groupOf: (id: string) => string = (() => {
  if (groupsFile === null) return (id: string) => (splitOf(id) === 'train' ? 'gz2 trained on it' : `gz2 held out (${splitOf(id)})`);
  const { rows } = readCsv(groupsFile);
  const map = new Map(rows.map((r) => [r[0], r[1]]));
  return (id: string) => map.get(id) ?? 'unknown';
})();

interface Ranked { rank: number; id: string; score: number; rating: number | null; anomaly: boolean; value: number }

/** Average precision (mean of the precision at each anomaly's rank) and ROC AUC (ties count half) of a ranking. */
function apAuc(list: readonly Ranked[]): { ap: number; auc: number } {
  const sorted = [...list].sort((a, b) => b.score - a.score);
  let found = 0;
  let sumPrecision = 0;
  sorted.forEach((g, i) => {
    if (g.anomaly) {
      found++;
      sumPrecision += found / (i + 1);
    }
  });
  const pos = sorted.filter((g) => g.anomaly).map((g) => g.score);
  const neg = sorted.filter((g) => !g.anomaly).map((g) => g.score);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return { ap: found > 0 ? sumPrecision / found : Number.NaN, auc: pos.length > 0 && neg.length > 0 ? wins / (pos.length * neg.length) : Number.NaN };
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
for (const run of args) {
  const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  const results = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8'));
  const data = await projectStore(EmbeddingStore.open(config.embeddings), config.components, config.baselineComponents);
  const side = await readCatalogSide(config.catalog, data.ids, { column: config.raterColumn, scale: config.raterScale, threshold: config.anomalyThreshold }, false);
  const labels = side.rater!;
  const ratingRows = readCsv(join(run, 'ratings.csv')).rows;
  const ratedIndex = ratingRows.map((r) => data.indexOfId.get(r[0])!);
  const d = data.gpDimension;
  const x = new Float64Array(ratedIndex.length * d);
  ratedIndex.forEach((i, k) => { for (let c = 0; c < d; c++) x[k * d + c] = data.gpInputs[i * d + c]; });
  const last = results.perRound[results.perRound.length - 1].gp;
  const gp = GaussianProcess.withParams(x, ratingRows.map((r) => Number(r[1])), d, { lengthScale: last.lengthScale, alpha: last.alpha, noise: last.noise });
  const mean = gp.predictMean(data.gpInputs);
  const ratingOf = new Map(ratingRows.map((r) => [r[0], Number(r[1])]));
  const ranked: Ranked[] = data.ids.map((id, i) => ({ rank: 0, id, score: mean[i], rating: ratingOf.get(id) ?? null, anomaly: labels.anomaly[i] === 1, value: labels.values[i] }))
    .map((g, i) => ({ g, i })).sort((a, b) => b.g.score - a.g.score || a.i - b.i).map(({ g }, k) => ({ ...g, rank: k + 1 }));
  // the rebuilt ranking must be the run's own: its top 200 equal ranking.csv's
  const shipped = readCsv(join(run, 'ranking.csv'));
  shipped.rows.forEach((r, k) => {
    const score = Number(r[shipped.header.indexOf('posterior_mean')]);
    if (r[shipped.header.indexOf('id')] !== ranked[k].id || Math.abs(score - ranked[k].score) > 1e-6) {
      throw new Error(`${run}: rank ${k + 1} rebuilt as ${ranked[k].id} (${ranked[k].score}), ranking.csv has ${r[1]} (${score})`);
    }
  });
  const n = ranked.length;
  const top50 = ranked.slice(0, 50);
  const groups = [...new Set(ranked.map((g) => groupOf(g.id)))].sort();
  console.log(`## ${run}\n`);
  console.log(`${n} galaxies, ${ranked.filter((g) => g.anomaly).length} anomalies, ${ranked.filter((g) => g.rating !== null).length} rated; ` +
    `precision@50 ${f3(top50.filter((g) => g.anomaly).length / 50)}.\n`);
  console.log('| group | galaxies | anomalies | in top 50 (anomalies) | k = 50·share | precision@k | AP | ROC AUC | unrated: galaxies | anomalies | AP | ROC AUC |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const all = [...groups, 'all'];
  for (const name of all) {
    const members = name === 'all' ? ranked : ranked.filter((g) => groupOf(g.id) === name);
    const k = Math.max(1, Math.round((50 * members.length) / n));
    const atK = members.slice(0, k).filter((g) => g.anomaly).length / k;
    const inTop = top50.filter((g) => name === 'all' || groupOf(g.id) === name);
    const unrated = members.filter((g) => g.rating === null);
    const m = apAuc(members);
    const u = apAuc(unrated);
    console.log(`| ${name} | ${members.length} | ${members.filter((g) => g.anomaly).length} | ${inTop.length} (${inTop.filter((g) => g.anomaly).length}) | ${k} | ${f3(atK)} | ` +
      `${f3(m.ap)} | ${f3(m.auc)} | ${unrated.length} | ${unrated.filter((g) => g.anomaly).length} | ${f3(u.ap)} | ${f3(u.auc)} |`);
  }
  const fp = top50.filter((g) => !g.anomaly);
  console.log(`\nTop-50 false positives (${fp.length}):\n`);
  console.log('| rank | id | odd (q6_odd_yes) | rating given | posterior mean | group |');
  console.log('|---:|---|---:|---:|---:|---|');
  for (const g of fp) console.log(`| ${g.rank} | ${g.id} | ${g.value.toFixed(3)} | ${g.rating ?? 'not rated'} | ${g.score.toFixed(2)} | ${groupOf(g.id)} |`);
  const rated = ranked.filter((g) => g.rating !== null);
  const byRating = [0, 1, 2, 3, 4, 5].map((r) => rated.filter((g) => g.rating === r));
  console.log(`\nRatings given: ${byRating.map((l, r) => `${r}: ${l.length} (${l.filter((g) => g.anomaly).length} anomalies)`).join(', ')}.\n`);
}
