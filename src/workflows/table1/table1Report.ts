/**
 * The outputs of a Table 1 run: results per cell and aggregated over seeds (JSON + CSV), the paper's Table 1 beside
 * ours, figures (error against labels per regime, learning curves, rotation consistency) and the Markdown summary
 * with the compute budget of every cell.
 */
import { lineChart, type LineSeries } from '../../report/lineChart.js';
import { markdownTable } from '../../report/markdownTable.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { writeFigure } from '../../report/writeFigure.js';
import type { MeanSd, TableRow } from '../../report/tableCell.js';
import type { Regime } from '../../train/regimes/regimePhases.js';
import type { RunFolder } from '../../util/runFolder.js';
import { meanInterval, type MeanInterval } from '../../util/meanInterval.js';
import type { CellResult, PhaseBudget } from './table1Cell.js';
import type { GradientBalance } from '../../train/regimes/lossBalance.js';
import type { Table1Options } from './table1.js';
import type { SkippedSource } from './table1Data.js';

/** Table 1 of Nishikawa-Toomey et al. (2020): their "RMSE" (= our sum-abs) at 100 / 300 / 800 / 1200 labels. */
export const PAPER_TABLE1: Partial<Record<Regime, Record<number, number>>> = {
  supervised: { 100: 0.56, 300: 0.31, 800: 0.25, 1200: 0.24 },
  'two-step': { 100: 0.37, 300: 0.28, 800: 0.25, 1200: 0.25 },
  alternating: { 100: 0.35, 300: 0.24, 800: 0.2, 1200: 0.21 },
};

/** The label counts of the paper's Table 1 (always shown in the comparison, with ours where we ran them). */
export const PAPER_LABELS = [100, 300, 800, 1200];

function meanSd(values: number[]): MeanSd {
  const { mean, sd } = meanInterval(values);
  return { mean, sd };
}

export interface AggregateRow {
  regime: Regime;
  labels: number;
  seeds: number;
  sumAbs: MeanSd;
  /** The mean sum-abs over seeds with its 95% Student-t confidence interval (no interval for one seed). */
  sumAbsInterval: MeanInterval;
  rmse: MeanSd;
  /** Predict-the-mean (the cell's labelled mean fractions) on the same test galaxies. */
  meanSumAbs: MeanSd;
  meanTruthSumAbs: MeanSd | null;
  truthSumAbs: MeanSd | null;
  truthRmse: MeanSd | null;
  rotationMeanAbsDelta: MeanSd | null;
  externalSumAbs: MeanSd | null;
  externalRmse: MeanSd | null;
  epochs: number;
  trainSeconds: number;
  imagesPerSecond: number;
  stoppedByTime: number;
  /** Seeds whose training phase early stopping ended ('converged'). */
  converged: number;
  /** Seeds whose training phase a limit ended while its best validation was in its last quarter. */
  stillImproving: number;
  /** Mean validations per seed in the training phase (the best-validation checkpoint was chosen among them). */
  validations: number;
  /** Mean CPU seconds per seed of the training phase (both workers, validations included); NaN for cells of earlier versions. */
  cpuSeconds: number;
  /** The training phase's budget (the same for every seed of a row). */
  limit: PhaseBudget['limit'];
}

export function aggregate(cells: readonly CellResult[]): AggregateRow[] {
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    const key = `${c.regime}|${c.labels}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((g) => {
    const train = g.map((c) => c.budget[c.budget.length - 1]);
    const opt = (f: (c: CellResult) => number | null | undefined) => (g.every((c) => f(c) != null) ? meanSd(g.map((c) => f(c) as number)) : null);
    return {
      regime: g[0].regime,
      labels: g[0].labels,
      seeds: g.length,
      sumAbs: meanSd(g.map((c) => c.test.votes.sumAbs)),
      sumAbsInterval: meanInterval(g.map((c) => c.test.votes.sumAbs)),
      rmse: meanSd(g.map((c) => c.test.votes.rmse)),
      meanSumAbs: opt((c) => c.predictTheMean?.votes.sumAbs) ?? { mean: NaN, sd: NaN },
      meanTruthSumAbs: opt((c) => c.predictTheMean?.truth?.sumAbs),
      truthSumAbs: opt((c) => c.test.truth?.sumAbs),
      truthRmse: opt((c) => c.test.truth?.rmse),
      rotationMeanAbsDelta: opt((c) => c.test.rotationMeanAbsDelta),
      externalSumAbs: opt((c) => c.external?.votes.sumAbs),
      externalRmse: opt((c) => c.external?.votes.rmse),
      epochs: train.reduce((a, b) => a + b.epochs, 0) / g.length,
      trainSeconds: train.reduce((a, b) => a + b.trainSeconds, 0) / g.length,
      imagesPerSecond: train.reduce((a, b) => a + b.imagesPerSecond, 0) / g.length,
      stoppedByTime: train.filter((b) => b.stoppedBy === 'time').length,
      converged: train.filter((b) => b.stoppedBy === 'converged').length,
      stillImproving: train.filter((b) => b.stillImproving === true).length,
      validations: train.reduce((a, b) => a + (b.validations ?? 0), 0) / g.length,
      cpuSeconds: train.reduce((a, b) => a + (b.cpuSeconds ?? Number.NaN), 0) / g.length,
      limit: train[0].limit,
    };
  });
}

function flatRow(a: AggregateRow): TableRow {
  return {
    regime: a.regime,
    labels: a.labels,
    seeds: a.seeds,
    'sum-abs (paper "RMSE")': a.sumAbs,
    'sum-abs 95% CI': intervalText(a.sumAbsInterval),
    'predict-the-mean sum-abs': a.meanSumAbs,
    'below the mean': belowMean(a.sumAbs.mean, a.meanSumAbs.mean),
    RMSE: a.rmse,
    'truth sum-abs': a.truthSumAbs,
    'truth RMSE': a.truthRmse,
    'predict-the-mean vs truth': a.meanTruthSumAbs,
    'rotation mean |Δp|': a.rotationMeanAbsDelta,
    'external sum-abs': a.externalSumAbs,
    'external RMSE': a.externalRmse,
    epochs: a.epochs,
    'train s': a.trainSeconds,
    'images/s': a.imagesPerSecond,
    'cut by time': `${a.stoppedByTime}/${a.seeds}`,
    'early-stopped': `${a.converged}/${a.seeds}`,
    'still improving': `${a.stillImproving}/${a.seeds}`,
    validations: a.validations,
  };
}

/** A 95% interval as text, "[0.381, 0.443]", or "—" for one seed (no interval can be stated). */
function intervalText(i: MeanInterval): string {
  return Number.isFinite(i.halfWidth) ? `[${(i.mean - i.halfWidth).toFixed(3)}, ${(i.mean + i.halfWidth).toFixed(3)}]` : '—';
}

/** "0.412 ± 0.031" (mean ± the 95% CI's half-width) over several seeds, the mean alone for one. */
function meanCiText(i: MeanInterval): string {
  return Number.isFinite(i.halfWidth) ? `${i.mean.toFixed(3)} ± ${i.halfWidth.toFixed(3)}` : i.mean.toFixed(3);
}

/** A training phase's budget and what it used, as cells.csv columns. */
function budgetColumns(b: PhaseBudget): Record<string, string | number | boolean | null> {
  return {
    epochLimit: b.limit.epochs, epochUnit: b.limit.epochUnit, secondsLimit: b.limit.seconds, patience: b.limit.patience,
    epochs: b.epochs, steps: b.steps, trainSeconds: b.trainSeconds, imagesPerSecond: b.imagesPerSecond,
    stoppedBy: b.stoppedBy, validations: b.validations, bestStep: b.bestStep, stillImproving: b.stillImproving, cpuSeconds: b.cpuSeconds ?? null,
  };
}

/** The stated budget of a row: "≤ 12 epochs of its labelled images, ≤ 30 s". */
function limitText(l: PhaseBudget['limit'] | undefined): string {
  if (l === undefined) return '— (a cell of an earlier version, resumed)';
  return `≤ ${l.epochs} epochs of its ${l.epochUnit}${l.seconds > 0 ? `, ≤ ${l.seconds} s` : ''}${l.patience > 0 ? `, patience ${l.patience}` : ''}`;
}

function lossBalanceSection(r: LossBalanceReport | null): string[] {
  if (r === null) return [];
  const first = r.measured[0];
  return [
    '## Loss balance of the alternating regime at initialisation',
    '',
    `First batch of ${r.labels} labelled galaxies, weight seeds ${r.seeds.join(', ')}: −ELBO ${r.measured.map((m) => m.negativeElbo.toFixed(0)).join(', ')} and vote NLL ${r.measured.map((m) => m.nll.toFixed(1)).join(', ')} nats per galaxy. Gradient norms per parameter group, seed ${r.seeds[0]} (all in gradient_balance.json):`,
    '',
    markdownTable(first.groups.map((g) => ({ group: g.group, '‖∇ −ELBO‖': g.elbo, '‖∇ NLL‖': g.nll }))),
    `On the weights both terms reach (ET pose layers + encoder) ‖∇ELBO‖ / ‖∇NLL‖ = ${r.measured.map((m) => m.sharedRatio.toPrecision(3)).join(', ')} (geometric mean ${r.sharedRatio.toPrecision(3)}); ` +
      `the NLL was weighed by ${r.classifierWeight} (${r.source}), so at the start the vote term's pull on them is ${(r.classifierWeight / r.sharedRatio).toPrecision(2)}× the reconstruction's.`,
    '',
  ];
}

function dropEmptyColumns(rows: TableRow[]): TableRow[] {
  const keys = Object.keys(rows[0] ?? {}).filter((k) => rows.some((r) => r[k] !== null && r[k] !== undefined));
  return rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
}

/** How far below predict-the-mean a score is, e.g. "23%" (negative: worse than the mean). */
function belowMean(score: number, mean: number): string {
  return Number.isFinite(score) && Number.isFinite(mean) && mean > 0 ? `${(100 * (1 - score / mean)).toFixed(0)}%` : '—';
}

/** Per number of labels: the best regime, its score and how far below predict-the-mean it is. */
function bestBelowMean(rows: AggregateRow[]): string[] {
  return [...new Set(rows.map((r) => r.labels))].sort((a, b) => a - b).map((n) => {
    const best = rows.filter((r) => r.labels === n).sort((a, b) => a.sumAbs.mean - b.sumAbs.mean)[0];
    return `- ${n} labels: best ${best.regime} ${best.sumAbs.mean.toFixed(3)} against predict-the-mean ${best.meanSumAbs.mean.toFixed(3)}: ${belowMean(best.sumAbs.mean, best.meanSumAbs.mean)} below it.`;
  });
}

function paperComparison(rows: AggregateRow[], labels: number[]): TableRow[] {
  const out: TableRow[] = [];
  const meanRow: Record<string, string> = { regime: 'predict the mean (ours)' };
  for (const n of labels) {
    const any = rows.find((r) => r.labels === n);
    meanRow[`${n} ours`] = any && Number.isFinite(any.meanSumAbs.mean) ? any.meanSumAbs.mean.toFixed(3) : '—';
    meanRow[`${n} paper`] = '—';
  }
  for (const regime of Object.keys(PAPER_TABLE1) as Regime[]) {
    const row: Record<string, string> = { regime };
    let any = false;
    for (const n of labels) {
      const ours = rows.find((r) => r.regime === regime && r.labels === n);
      const paper = PAPER_TABLE1[regime]?.[n];
      if (ours) any = true;
      row[`${n} ours`] = ours ? meanCiText(ours.sumAbsInterval) : '—';
      row[`${n} paper`] = paper === undefined ? '—' : paper.toFixed(2);
    }
    if (any) out.push(row);
  }
  if (out.length > 0) out.push(meanRow);
  return out;
}

function seriesBy(rows: AggregateRow[], value: (r: AggregateRow) => MeanSd | null): LineSeries[] {
  const regimes = [...new Set(rows.map((r) => r.regime))];
  const out: LineSeries[] = [];
  for (const regime of regimes) {
    const pts = rows.filter((r) => r.regime === regime && value(r) !== null && Number.isFinite(value(r)!.mean)).sort((a, b) => a.labels - b.labels);
    if (pts.length === 0) continue;
    out.push({ label: regime, x: pts.map((p) => p.labels), y: pts.map((p) => value(p)!.mean), sd: pts.map((p) => value(p)!.sd) });
  }
  return out;
}

/** The loss balance measured at initialisation for a few weight seeds, and the classifier weight it gave. */
export interface LossBalanceReport {
  labels: number;
  seeds: number[];
  measured: GradientBalance[];
  /** Geometric mean over the seeds of ‖∇ELBO‖ / ‖∇NLL‖ on the ET and encoder weights. */
  sharedRatio: number;
  classifierWeight: number;
  source: 'balanced at initialisation (measured)' | 'given';
}

export interface Table1ReportInput {
  run: RunFolder;
  settings: Table1Options;
  dataNote: string;
  labelNote: string;
  backend: string;
  workers: number;
  cells: CellResult[];
  totalSeconds: number;
  splitSizes: Record<string, number>;
  skipped: SkippedSource[];
  /** The alternating regime's loss balance at initialisation (null when alternating was not run). */
  lossBalance: LossBalanceReport | null;
  /** Cells in the run's grid: with fewer `cells` done, the report is of a run still going (or stopped) and says so. */
  plannedCells?: number;
}

/** Every cell (regime × labels × seed) beside its predict-the-mean, with how its training phase ended. */
function cellRows(cells: readonly CellResult[]): TableRow[] {
  return [...cells].sort((a, b) => a.regime.localeCompare(b.regime) || a.labels - b.labels || a.seed - b.seed).map((c) => {
    const b = c.budget[c.budget.length - 1];
    const mean = c.predictTheMean?.votes.sumAbs ?? Number.NaN;
    return {
      regime: c.regime, labels: c.labels, seed: c.seed, 'sum-abs': c.test.votes.sumAbs, 'predict-the-mean': mean,
      'below the mean': belowMean(c.test.votes.sumAbs, mean), RMSE: c.test.votes.rmse,
      'epochs run': b.epochs, 'best at step': `${b.bestStep} of ${b.steps}`, 'stopped by': b.stoppedBy,
      'still improving': b.stillImproving === null ? '—' : b.stillImproving ? 'yes ⚠' : 'no',
    };
  });
}

export async function writeTable1Report(input: Table1ReportInput): Promise<{ summary: string; rows: AggregateRow[] }> {
  const { run, cells, settings } = input;
  const rows = aggregate(cells).sort((a, b) => a.regime.localeCompare(b.regime) || a.labels - b.labels);
  const skippedCount = input.skipped.reduce((n, s) => n + s.rows, 0);
  run.writeJson('results.json', {
    cells, aggregate: rows, paper: PAPER_TABLE1, lossBalance: input.lossBalance, skippedCount, skipped: input.skipped,
    plannedCells: input.plannedCells ?? cells.length, complete: (input.plannedCells ?? cells.length) <= cells.length,
  });
  writeCsvTable(run.path('results.csv'), rows.map(flatRow));
  writeCsvTable(run.path('cells.csv'), cells.map((c) => ({
    regime: c.regime, labels: c.labels, seed: c.seed, sumAbs: c.test.votes.sumAbs, rmse: c.test.votes.rmse,
    truthSumAbs: c.test.truth?.sumAbs ?? null, truthRmse: c.test.truth?.rmse ?? null,
    predictTheMeanSumAbs: c.predictTheMean?.votes.sumAbs ?? null, predictTheMeanTruthSumAbs: c.predictTheMean?.truth?.sumAbs ?? null,
    rotationMeanAbsDelta: c.test.rotationMeanAbsDelta, externalSumAbs: c.external?.votes.sumAbs ?? null,
    bestValidation: c.bestValidation, ...budgetColumns(c.budget[c.budget.length - 1]), wallSeconds: c.wallSeconds,
  })));

  const figures: string[] = [];
  const multiLabels = new Set(rows.map((r) => r.labels)).size > 1;
  const vsLabels: [name: string, value: (r: AggregateRow) => MeanSd | null, title: string, yLabel: string][] = [
    ['error_vs_labels', (r) => r.sumAbs, 'Test error against labelled galaxies', 'sum-abs error (paper "RMSE")'],
    ['truth_error_vs_labels', (r) => r.truthSumAbs, 'Error against the true probabilities (simulated)', 'sum-abs error vs truth'],
    ['rotation_consistency', (r) => r.rotationMeanAbsDelta, 'Rotation consistency: mean |Δp| for randomly rotated test images',
      'mean |p(rotated) − p(original)|'],
  ];
  for (const [name, value, title, yLabel] of vsLabels) {
    const series = seriesBy(rows, value);
    if (series.length === 0) continue;
    await writeFigure(run.path('figures', name), lineChart(series, {
      title, xLabel: 'labelled galaxies', yLabel, xScale: multiLabels ? 'log' : 'linear', lines: multiLabels,
    }));
    figures.push(`figures/${name}.png`);
  }
  for (const labels of [...new Set(cells.map((c) => c.labels))].sort((a, b) => a - b)) {
    const curves: LineSeries[] = cells
      .filter((c) => c.labels === labels && c.seed === 0)
      .map((c) => {
        const pts = c.history.filter((h) => h.validation !== null && h.images > 0);
        return { label: c.regime, x: pts.map((h) => h.images), y: pts.map((h) => h.validation as number) };
      })
      .filter((s) => s.x.length > 0);
    if (curves.length === 0) continue;
    await writeFigure(run.path('figures', `learning_curves_${labels}`), lineChart(curves, {
      title: `Validation error while training, ${labels} labels (seed 0)`, xLabel: 'training images seen', yLabel: 'validation sum-abs',
    }));
    figures.push(`figures/learning_curves_${labels}.png`);
  }

  const budgetRows = rows.map((r) => ({
    regime: r.regime, labels: r.labels, budget: limitText(r.limit),
    'epochs run': r.epochs, 'train s': r.trainSeconds, 'images/s': r.imagesPerSecond, validations: r.validations,
    'cut by time': `${r.stoppedByTime}/${r.seeds}`, 'early-stopped': `${r.converged}/${r.seeds}`,
    'still improving when stopped': `${r.stillImproving}/${r.seeds}${r.stillImproving > 0 ? ' ⚠' : ''}`,
    'CPU s': Number.isFinite(r.cpuSeconds) ? r.cpuSeconds : null,
  }));
  const planned = input.plannedCells ?? cells.length;
  const pretrains = cells.flatMap((c) => (c.budget.length > 1 ? [c.budget[0]] : []));
  const pre = pretrains[0];
  const comparison = paperComparison(rows, [...new Set([...PAPER_LABELS, ...settings.labels])].sort((a, b) => a - b));
  const summary = [
    `# Table 1 experiment (${settings.preset} preset)`,
    '',
    ...(planned > cells.length
      ? [`**Partial: ${cells.length} of ${planned} cells are done** (the run is still going, or was stopped: \`--resume\` with the same options runs the rest). Only the cells listed below ran; a row's "seeds" says how many of its seeds are in it.`, '']
      : []),
    ...(settings.commandLine === null ? [] : [`Command: \`${settings.commandLine}\``, '']),
    `- Data: ${input.dataNote}; labels: ${input.labelNote}.`,
    `- Splits (by id hash): ${Object.entries(input.splitSizes).map(([k, v]) => `${k} ${v}`).join(', ')}. The test split is never used for training or model selection; the validation split picks the best checkpoint.`,
    `- Backend: ${input.backend}; ${input.workers} data-parallel worker(s). Total wall time ${(input.totalSeconds / 60).toFixed(1)} min.`,
    `- Model: ${settings.imageSize} px, pose grid ${settings.poseGridSize ?? settings.imageSize} px, latent ${settings.latentDim}, ${settings.likelihood} pixel likelihood; batch ${settings.batchSize}; Adam ${settings.learningRate} (${settings.afterPretrainingLearningRate} after pre-training). Budgets per regime in the budget table below; pre-training up to ${settings.pretrainEpochs} epochs${settings.pretrainSeconds > 0 ? ` / ${settings.pretrainSeconds} s` : ''}.`,
    input.skipped.some((s) => s.rows > 0)
      ? `- Left out (--on-bad skip, and unlabelled rows): ${input.skipped.filter((s) => s.rows > 0).map((s) => `${s.source}: ${s.rows} (first: ${s.list[0]?.reason ?? '—'})`).join('; ')}; all listed in results.json.`
      : '- No rows or images were left out.',
    '',
    `Seeds: ${settings.seeds} (${settings.seed}…${settings.seed + settings.seeds - 1}); "±" in the first table is the half-width of the 95% Student-t confidence interval of the mean over seeds (the CI column of the second table gives the interval; sd there is the spread between seeds).`,
    '',
    'Metric: **sum-abs** = mean over test galaxies of Σ_answers |p − f| — what the paper\'s Table 1 calls "RMSE" (its code takes √((p − f)²) per answer). **RMSE** is the true root mean squared error over galaxies and answers. "truth" columns score against the simulator\'s true probabilities instead of the noisy vote fractions.',
    '',
    '## Ours beside the paper (sum-abs, mean ± 95% CI over seeds; paper: 128 px, 200 epochs, GZ2)',
    '',
    comparison.length > 0 ? markdownTable(comparison) : `None of the regimes run (${settings.regimes.join(', ')}) is in the paper's table.\n`,
    '## All regimes (mean ± sd over seeds)',
    '',
    'Each cell beside predict-the-mean (every test galaxy given the mean vote fractions of the cell\'s labelled galaxies) and how far below it the cell is:',
    '',
    markdownTable(dropEmptyColumns(rows.map(flatRow))),
    ...bestBelowMean(rows),
    '',
    '## Every cell beside predict-the-mean',
    '',
    '"still improving": a limit (not early stopping) ended the training phase while its best validation came in its last quarter.',
    '',
    markdownTable(cellRows(cells)),
    '## Compute budget per cell (training phase; mean over seeds)',
    '',
    'Each regime\'s budget is stated over its own data: an epoch is a pass over the labelled images (supervised, two-step, M1, plain CNN) or over the unlabelled images, each with a labelled batch (alternating); seconds count training steps only. "Still improving" (⚠) means a limit ended the phase while its best validation came in its last quarter: that cell had not converged, and more budget would probably lower its error.',
    '',
    markdownTable(budgetRows),
    ...(pre ? [`Shared VAE pre-training (two-step, M1), per seed: ${limitText(pre.limit)}; ran ${pre.epochs.toFixed(1)} epochs, ${pre.trainSeconds.toFixed(0)} s, ${pre.imagesPerSecond.toFixed(1)} img/s, stopped by ${pre.stoppedBy}.`] : []),
    '',
    ...lossBalanceSection(input.lossBalance),
    '## Figures',
    '',
    ...figures.map((f) => `![${f}](${f})`),
    '',
    'Image grids of the ET-VAE (observed, canonical view, decoded canonical view, rendered back to the observed pose): `grids/`.',
    '',
  ].join('\n');
  run.writeText('summary.md', summary);
  return { summary, rows };
}
