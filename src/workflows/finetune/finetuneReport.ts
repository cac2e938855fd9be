/**
 * The report of `galmorph finetune`: results.json (every run's `accuracy`, `balanced_accuracy` and `log_loss` by
 * method, label count and seed, their mean ± sd per method and label count, and the confusion matrices), runs.csv
 * (one row a run), curve.csv (one row a method and label count), accuracy and log loss against labels (PNG + SVG,
 * mean ± sd over seeds) for a curve, and summary.md.
 */
import type { RunFolder } from '../../util/runFolder.js';
import { mean } from '../../util/stats.js';
import { writeCsvTable } from '../../report/csvTable.js';
import { markdownTable } from '../../report/markdownTable.js';
import { lineChart, type LineSeries } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import type { FinetuneOptions } from './finetune.js';
import type { FinetuneData } from './finetuneData.js';
import type { FinetuneMethod, RunResult } from './finetuneRun.js';

const METRICS = [['accuracy', 'accuracy'], ['balanced_accuracy', 'balancedAccuracy'], ['log_loss', 'logLoss']] as const;

export interface CurvePoint {
  method: FinetuneMethod;
  labels: number;
  seeds: number;
  /** Per metric: mean, sample standard deviation (0 for one seed), min and max over seeds. */
  stats: Record<(typeof METRICS)[number][0], { mean: number; sd: number; min: number; max: number }>;
  seconds: number;
}

export function curvePoints(runs: readonly RunResult[]): CurvePoint[] {
  const keys = [...new Set(runs.map((r) => `${r.method}|${r.labels}`))];
  return keys.map((key) => {
    const group = runs.filter((r) => `${r.method}|${r.labels}` === key);
    const stats = Object.fromEntries(METRICS.map(([name, field]) => {
      const xs = group.map((r) => r.test[field]);
      const m = mean(xs);
      const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
      return [name, { mean: m, sd, min: Math.min(...xs), max: Math.max(...xs) }];
    })) as CurvePoint['stats'];
    return { method: group[0].method, labels: group[0].labels, seeds: group.length, stats, seconds: mean(group.map((r) => r.seconds)) };
  });
}

export interface ReportInput {
  options: FinetuneOptions;
  data: FinetuneData;
  runs: RunResult[];
  curve: boolean;
  seconds: number;
  badTest: { id: string; reason: string }[];
  /** False while runs remain (the report is rewritten after every run). */
  complete: boolean;
}

const fmt = (x: number) => x.toFixed(3);

export async function writeFinetuneReport(run: RunFolder, r: ReportInput): Promise<void> {
  const { options, data, runs } = r;
  const points = curvePoints(runs);
  const runRows = runs.map((x) => ({
    method: x.method, labels: x.labels, seed: x.seed, train: x.train, val: x.val,
    stages: x.stages.map((s) => `${s.stage}:${s.epochs}(best ${s.bestEpoch})`).join(' '),
    val_loss: x.valLoss, accuracy: x.test.accuracy, balanced_accuracy: x.test.balancedAccuracy, log_loss: x.test.logLoss,
    test_galaxies: x.test.galaxies, seconds: Number(x.seconds.toFixed(1)),
  }));
  writeCsvTable(run.path('runs.csv'), runRows);
  const curveRows = points.map((p) => ({
    method: p.method, labels: p.labels, seeds: p.seeds,
    ...Object.fromEntries(METRICS.flatMap(([m]) => [[`${m}_mean`, p.stats[m].mean], [`${m}_sd`, p.stats[m].sd], [`${m}_min`, p.stats[m].min], [`${m}_max`, p.stats[m].max]])),
    seconds_mean: Number(p.seconds.toFixed(1)),
  }));
  writeCsvTable(run.path('curve.csv'), curveRows);
  const byMethod: Record<string, Record<string, Record<string, { accuracy: number; balanced_accuracy: number; log_loss: number }>>> = {};
  for (const x of runs) {
    ((byMethod[x.method] ??= {})[String(x.labels)] ??= {})[String(x.seed)] = { accuracy: x.test.accuracy, balanced_accuracy: x.test.balancedAccuracy, log_loss: x.test.logLoss };
  }
  const figures = r.curve ? await writeCurveFigures(run, points, data.classNames.length, options.model) : [];
  run.writeJson('results.json', {
    classes: data.classNames, labelColumn: options.labelColumn, pretrained: options.model,
    pool: data.pool.length, test: { galaxies: data.test.length, source: data.testNote, badImages: r.badTest },
    results: byMethod,
    curve: points,
    runs: runs.map((x) => ({ ...x, accuracy: x.test.accuracy, balanced_accuracy: x.test.balancedAccuracy, log_loss: x.test.logLoss })),
    leftOutCount: data.leftOut.length, leftOut: data.leftOut, seconds: r.seconds, complete: r.complete,
  });
  const lines = [
    `# Fine-tuning: ${data.classNames.length} classes of \`${options.labelColumn}\``,
    '',
    ...(r.complete ? [] : [`**In progress: ${runs.length} runs so far.**`, '']),
    `Catalog \`${data.catalog.source}\`; classes ${data.classNames.map((c, k) => `${c} (${data.pool.filter((x) => x.label === k).length} in the pool, ${data.test.filter((x) => x.label === k).length} test)`).join(', ')}.`,
    `Test galaxies: ${data.testNote}. Each run takes its labelled galaxies from the pool by a seeded id rank, stratified by class; ${Math.round(100 * options.valFraction)}% of them validate (early stopping, patience ${options.patience}).`,
    `Fine-tuned: the encoder of \`${options.model}\` with a new head (${options.headHidden.length > 0 ? `dense ${options.headHidden.join(', ')} ReLU with MC dropout, ` : ''}softmax); stage 1 frozen encoder, Adam ${options.lr1}, ≤ ${options.epochs1} epochs; ` +
      (options.unfreeze > 0 && options.epochs2 > 0 ? `stage 2 the top ${options.unfreeze} encoder group(s) unfrozen, Adam ${options.lr2}, ≤ ${options.epochs2} epochs.` : 'no stage 2.') +
      ` From scratch: the same network from random weights, Adam ${options.lr1}, ≤ ${options.epochs1 + options.epochs2} epochs. Test predictions: mean of ${options.passes} MC-dropout passes.`,
    '',
    markdownTable(points.map((p) => ({
      method: p.method, labels: p.labels, seeds: p.seeds,
      accuracy: `${fmt(p.stats.accuracy.mean)} ± ${fmt(p.stats.accuracy.sd)}`,
      'balanced accuracy': `${fmt(p.stats.balanced_accuracy.mean)} ± ${fmt(p.stats.balanced_accuracy.sd)}`,
      'log loss': `${fmt(p.stats.log_loss.mean)} ± ${fmt(p.stats.log_loss.sd)}`,
      's / run': p.seconds.toFixed(0),
    }))),
    '',
    ...gapLines(points),
    ...figures.map((f) => `![${f}](${f})`),
    '',
    `Runs (per seed): runs.csv; confusion matrices: results.json. Wall time ${r.seconds.toFixed(0)} s.`,
    data.leftOut.length > 0 ? `Left out: ${data.leftOut.length} catalog rows (listed with reasons in results.json).` : 'No catalog rows were left out.',
    ...(r.badTest.length > 0 ? [`Unreadable test images left out: ${r.badTest.length}.`] : []),
    '',
  ];
  run.writeText('summary.md', lines.join('\n'));
}

/** accuracy_vs_labels and log_loss_vs_labels (PNG + SVG): each method's mean ± sd over seeds against labels. */
export async function writeCurveFigures(run: RunFolder, points: readonly CurvePoint[], classes: number, model: string): Promise<string[]> {
  const figures: string[] = [];
  for (const [metric, label] of [['accuracy', 'test accuracy'], ['log_loss', 'test log loss']] as const) {
    const series: LineSeries[] = [...new Set(points.map((p) => p.method))].map((method) => {
      const ps = points.filter((p) => p.method === method).sort((a, b) => a.labels - b.labels);
      return { label: method === 'finetuned' ? `fine-tuned (${model})` : 'from scratch', x: ps.map((p) => p.labels), y: ps.map((p) => p.stats[metric].mean), sd: ps.map((p) => p.stats[metric].sd) };
    });
    await writeFigure(run.path(`${metric}_vs_labels`), lineChart(series, {
      title: `${classes} classes: ${label}, mean ± sd over seeds`, xLabel: 'labelled galaxies (train + validation)', yLabel: label, xScale: 'log',
    }));
    figures.push(`${metric}_vs_labels.png`);
  }
  return figures;
}

/** "At N labels fine-tuning beats from scratch by X accuracy points" lines, where both methods ran. */
function gapLines(points: readonly CurvePoint[]): string[] {
  const out: string[] = [];
  for (const p of points.filter((q) => q.method === 'finetuned')) {
    const s = points.find((q) => q.method === 'scratch' && q.labels === p.labels);
    if (s === undefined) continue;
    const gap = 100 * (p.stats.accuracy.mean - s.stats.accuracy.mean);
    out.push(`- ${p.labels} labels: fine-tuned − from scratch = ${gap >= 0 ? '+' : ''}${gap.toFixed(1)} accuracy points`);
  }
  return out.length > 0 ? [...out, ''] : [];
}
