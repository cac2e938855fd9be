/**
 * The report of `galmorph anomalies`: rounds.csv (one row a round: precision/recall/found at 50, 150, 200 of the GP
 * ranking, the isolation-forest baseline's beside, the GP's hyper-parameters), ranking.csv (the top galaxies by the
 * final posterior mean), precision and recall curves (PNG + SVG), an image grid of the top-ranked galaxies, and
 * summary.md. results.json is written by the job (anomalies.ts).
 */
import { writeCsvTable } from '../../report/csvTable.js';
import { lineChart, type LineSeries } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { loadImage } from '../../data/image.js';
import type { RunFolder } from '../../util/runFolder.js';
import type { TableRow } from '../../report/tableCell.js';
import { METRIC_CUTS, metricColumns, topIndices, type CutMetrics } from './anomaliesMetrics.js';
import type { RoundRecord } from './anomaliesLoop.js';
import type { Rating } from './anomaliesRatings.js';

/** Galaxies in ranking.csv and in the grid. */
export const RANKING_ROWS = 200;
export const GRID_TILES = 24;

/** One row of rounds.csv. */
export function roundRow(r: RoundRecord, baseline: CutMetrics[] | null): TableRow {
  return {
    round: r.round + 1,
    rated: r.rated,
    best_rating: r.bestRating,
    ...(r.metrics === null ? {} : metricColumns(r.metrics)),
    ...(baseline === null ? {} : metricColumns(baseline, 'iforest_')),
    gp_length_scale: r.gp.lengthScale,
    gp_alpha: r.gp.alpha,
    gp_noise: r.gp.noise,
    gp_log_marginal_likelihood: r.gp.logMarginalLikelihood,
    gp_fit_seconds: r.gp.fitSeconds,
    seconds: r.seconds,
  };
}

export interface AnomalyReportInput {
  ids: readonly string[];
  images: readonly string[] | null;
  anomaly: Uint8Array | null;
  raterValues: Float64Array | null;
  records: RoundRecord[];
  ratings: readonly Rating[];
  finalMean: Float64Array | null;
  baseline: CutMetrics[] | null;
  /** Expected precision of a random ranking (the anomaly fraction), when labels are known. */
  randomPrecision: number | null;
}

/** Writes rounds.csv, ranking.csv, the curves and the grid; returns the files written (relative names). */
export async function writeAnomalyReport(run: RunFolder, input: AnomalyReportInput, log: (message: string) => void): Promise<string[]> {
  const files: string[] = [];
  const { records, baseline } = input;
  // header only while no round has finished (an interactive session stopped in its first round)
  writeCsvTable(run.path('rounds.csv'), records.map((r) => roundRow(r, baseline)), records.length === 0 ? { columns: ['round', 'rated', 'best_rating'] } : {});
  files.push('rounds.csv');
  const ratingOf = new Map(input.ratings.map((r) => [r.index, r.rating]));
  if (input.finalMean !== null) {
    const mean = input.finalMean;
    const top = topIndices(mean, RANKING_ROWS);
    writeCsvTable(run.path('ranking.csv'), top.map((i, k) => ({
      rank: k + 1,
      id: input.ids[i],
      posterior_mean: mean[i],
      rating: ratingOf.get(i) ?? null,
      ...(input.anomaly === null ? {} : { anomaly: input.anomaly[i] === 1, rater_value: input.raterValues?.[i] ?? null }),
      ...(input.images === null ? {} : { image: input.images[i] }),
    })));
    files.push('ranking.csv');
    if (input.images !== null) {
      const shown = top.slice(0, GRID_TILES);
      const tiles: GridImage[] = [];
      for (const i of shown) {
        const img = await loadImage(input.images[i], { size: 64, colour: 'rgb' });
        tiles.push({ data: img.data, height: img.height, width: img.width, channels: 3 });
      }
      await writeImageGrid(run.path('top_ranked.png'), tiles, {
        cols: 8,
        scale: 2,
        captions: shown.map((i, k) => `${k + 1}. ${input.ids[i]} ${mean[i].toFixed(1)}${ratingOf.has(i) ? '*' : ''}`),
        borders: input.anomaly === null ? null : shown.map((i) => ((input.anomaly as Uint8Array)[i] === 1 ? 'green' : 'red')),
      });
      files.push('top_ranked.png');
    } else log('no catalog: the grid of top-ranked galaxies needs their images (--catalog)');
  }
  const withMetrics = records.filter((r) => r.metrics !== null);
  if (withMetrics.length > 0) {
    const x = withMetrics.map((r) => r.rated);
    for (const kind of ['precision', 'recall'] as const) {
      const series: LineSeries[] = [];
      for (const k of METRIC_CUTS) {
        series.push({ label: `GP ${kind}@${k}`, x, y: withMetrics.map((r) => (r.metrics as CutMetrics[]).find((m) => m.k === k)?.[kind] ?? 0) });
      }
      if (baseline !== null) {
        for (const m of baseline.filter((b) => b.k === 50 || b.k === 200)) series.push({ label: `iForest ${kind}@${m.k}`, x, y: x.map(() => m[kind]) });
      }
      if (kind === 'precision' && input.randomPrecision !== null) series.push({ label: 'random', x, y: x.map(() => input.randomPrecision as number) });
      await writeFigure(run.path(`${kind}_vs_ratings`), lineChart(series, {
        title: `${kind[0].toUpperCase()}${kind.slice(1)} of the top-ranked galaxies`, xLabel: 'galaxies rated', yLabel: kind, yRange: [0, 1],
      }));
      files.push(`${kind}_vs_ratings.png`);
    }
  }
  return files;
}
