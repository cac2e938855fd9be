/**
 * The files of one trained model's analysis in `galmorph cluster` (in its seed folder): tables (clusters.csv,
 * assignments.csv, overlap.csv, gz_fractions.csv, truth_contingency.csv, history.csv), figures (overlap heatmap,
 * cluster × class heatmap, training curves, the top galaxies of each cluster beside their reconstructions and an
 * overview grid) and the Markdown section the run's summary.md shows for it.
 */
import { join } from 'node:path';
import { heatmap } from '../../report/heatmap.js';
import { lineChart } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import { writeImageGrid, type GridImage } from '../../report/imageGrid.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { markdownTable } from '../../report/markdownTable.js';
import type { TableRow } from '../../report/tableCell.js';
import { ImageDataset } from '../../data/dataset.js';
import type { Vade } from '../../models/vade.js';
import { reconstructImages, type Embedding } from './clusterEmbed.js';
import type { ClusterAnalysis } from './clusterAnalysis.js';
import type { ClusterGalaxy } from './clusterData.js';
import type { EpochRecord } from './clusterTrain.js';

/** Answers the summary shows per cluster when the schema has them (smooth/featured, edge-on, odd). */
const SUMMARY_ANSWERS = ['q1_smooth', 'q1_features_or_disk', 'q1_star_or_artifact', 'q2_edge_on_yes', 'q6_odd_yes'];

export const clusterName = (c: number): string => `c${String(c).padStart(2, '0')}`;

export async function writeClusterReport(
  dir: string, analysis: ClusterAnalysis, embedding: Embedding, history: EpochRecord[], model: Vade, evaluation: ImageDataset<ClusterGalaxy>,
): Promise<{ figures: string[]; markdown: string }> {
  const figures: string[] = [];
  const names = Array.from({ length: analysis.k }, (_, c) => clusterName(c));
  writeCsvTable(join(dir, 'clusters.csv'), analysis.clusters.map((r) => ({ cluster: names[r.cluster], galaxies: r.galaxies, share: r.share, weight: r.weight, silhouette: r.silhouette, ...r.aboveCuts })));
  writeCsvTable(join(dir, 'assignments.csv'), embedding.ids.map((id, i) => ({ id, cluster: names[analysis.assignments[i]], gamma: analysis.confidence[i] })));
  writeCsvTable(join(dir, 'overlap.csv'), analysis.overlap.map((row, a) => ({ cluster: names[a], ...Object.fromEntries(row.map((v, b) => [names[b], v])) })));
  writeCsvTable(join(dir, 'history.csv'), history as unknown as TableRow[]);
  const finiteOverlap = analysis.overlap.map((row) => row.map((v) => (Number.isFinite(v) ? v : 0)));
  await writeFigure(join(dir, 'overlap'), heatmap(finiteOverlap, {
    title: 'Mean responsibilities by assigned cluster', xLabel: 'cluster k', yLabel: 'assigned cluster', rowLabels: names, colLabels: names,
    vmin: 0, vmax: 1, cellLabels: analysis.k <= 16, colorBarLabel: 'mean γ_k', cellSize: analysis.k <= 12 ? 40 : 28,
  }));
  figures.push('overlap.png');
  if (history.length > 1) {
    const x = history.map((h) => h.epoch);
    await writeFigure(join(dir, 'training'), lineChart([
      { label: 'reconstruction term', x, y: history.map((h) => h.reconstruction) },
      { label: 'squared error', x, y: history.map((h) => h.squaredError) },
      { label: 'latent term', x, y: history.map((h) => h.latent) },
    ], { title: 'Training (epoch means)', xLabel: 'epoch', yLabel: 'per galaxy' }));
    figures.push('training.png');
  }
  const lines: string[] = [];
  lines.push(markdownTable(analysis.clusters.map((r) => ({ cluster: names[r.cluster], galaxies: r.galaxies, 'π': r.weight, silhouette: r.silhouette, ...r.aboveCuts }))));
  if (analysis.votes !== null) {
    const v = analysis.votes;
    writeCsvTable(join(dir, 'gz_fractions.csv'), names.map((name, c) => ({ cluster: name, galaxies: analysis.clusters[c].galaxies, ...Object.fromEntries(v.answers.map((a) => [a.answer, a.perCluster[c]])) })));
    const shown = v.answers.filter((a) => SUMMARY_ANSWERS.includes(a.answer));
    lines.push(`\nGalaxy Zoo vote fractions per cluster (${v.galaxies} galaxies with votes; η² = share of the fraction's variance between clusters):\n`);
    lines.push(markdownTable([
      ...names.map((name, c) => ({ cluster: name, galaxies: analysis.clusters[c].galaxies, ...Object.fromEntries(shown.map((a) => [a.answer, a.perCluster[c]])) })),
      { cluster: 'all', galaxies: v.galaxies, ...Object.fromEntries(shown.map((a) => [a.answer, a.overall])) },
      { cluster: 'η²', galaxies: null, ...Object.fromEntries(shown.map((a) => [a.answer, a.etaSquared])) },
    ]));
  }
  if (analysis.truth !== null) {
    const t = analysis.truth;
    writeCsvTable(join(dir, 'truth_contingency.csv'), names.map((name, c) => ({ cluster: name, ...Object.fromEntries(t.classes.map((cls, j) => [cls, t.contingency[c][j]])) })));
    await writeFigure(join(dir, 'truth'), heatmap(t.contingency, {
      title: 'Galaxies per cluster and true class', xLabel: 'true class', yLabel: 'cluster', rowLabels: names, colLabels: t.classes, decimals: 0,
      cellSize: 40, colorBarLabel: 'galaxies',
    }));
    figures.push('truth.png');
    lines.push(`\nAgreement with the true classes (${t.galaxies} galaxies): Hungarian accuracy ${t.hungarianAccuracy.toFixed(3)}, ARI ${t.ari.toFixed(3)}, NMI ${t.nmi.toFixed(3)}.\n`);
  }
  figures.push(...await writeTopGrids(dir, analysis, embedding, model, evaluation, names));
  lines.push(`\nSilhouette (simplified, latent means) ${analysis.silhouette.toFixed(3)}; Calinski–Harabasz ${analysis.calinskiHarabasz.toFixed(1)}.\n`);
  return { figures, markdown: lines.join('\n') };
}

/**
 * clusters/cNN.png: the galaxies of highest γ_k (top row, captioned id and γ) above their reconstructions; and
 * top_galaxies.png: the best 8 of every cluster, one row per cluster.
 */
async function writeTopGrids(dir: string, analysis: ClusterAnalysis, embedding: Embedding, model: Vade, evaluation: ImageDataset<ClusterGalaxy>, names: string[]): Promise<string[]> {
  const wanted = new Set(analysis.top.flat().map((i) => embedding.ids[i]));
  const pixels = new Map<string, Float32Array>();
  const [h, w, ch] = evaluation.imageShape;
  const per = h * w * ch;
  for await (const batch of evaluation.batches(0)) {
    batch.ids.forEach((id, b) => {
      if (wanted.has(id)) pixels.set(id, batch.arrays.images.slice(b * per, (b + 1) * per));
    });
  }
  const tile = (data: Float32Array): GridImage => ({ data, height: h, width: w, channels: ch as 1 | 3 });
  const scale = Math.max(1, Math.round(96 / h));
  const overview: GridImage[] = [];
  const overviewCaptions: string[] = [];
  const perRow = 8;
  for (let c = 0; c < analysis.k; c++) {
    const ids = analysis.top[c].map((i) => embedding.ids[i]).filter((id) => pixels.has(id));
    const originals = ids.map((id) => pixels.get(id) as Float32Array);
    const { inputs, reconstructions } = reconstructImages(model, originals);
    const gammas = analysis.top[c].map((i) => embedding.responsibilities[i][c]);
    // With a front end, the row of what the encoder saw sits between the images and their reconstructions.
    const seen = model.config.frontEnd === 'none' ? [] : inputs;
    await writeImageGrid(join(dir, 'clusters', `${names[c]}.png`), [...originals, ...seen, ...reconstructions].map(tile), {
      cols: Math.max(1, originals.length), scale,
      captions: [...ids.map((id, j) => `${id} γ${gammas[j].toFixed(2)}`), ...seen.map(() => `front end ${model.config.frontEnd}`), ...ids.map(() => 'reconstruction')],
    });
    for (let j = 0; j < perRow; j++) {
      overview.push(tile(originals[j] ?? new Float32Array(per)));
      overviewCaptions.push(j === 0 ? `${names[c]} (${analysis.clusters[c].galaxies})` : '');
    }
  }
  await writeImageGrid(join(dir, 'top_galaxies.png'), overview, { cols: perRow, scale, captions: overviewCaptions });
  return ['top_galaxies.png', ...names.map((n) => `clusters/${n}.png`)];
}
