/**
 * The report of a Bayesian-CNN training run: history.csv/json (per epoch: train loss, per-question train losses,
 * validation loss and its per-question parts), learning-curve plots, test metrics (per question: sum-abs, RMSE and
 * MAE of vote fractions against the volunteers' beside predict-the-training-mean; per answer: RMSE, MAE and the
 * coverage error) in results.json, test_questions.csv and test_metrics.csv, the rows and images left out, and
 * summary.md.
 */
import { writeCsvTable } from '../../report/csvTable.js';
import { lineChart, type LineSeries } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import { markdownTable } from '../../report/markdownTable.js';
import type { RunFolder } from '../../util/runFolder.js';
import type { BadImage } from '../../data/decodeWorkerProtocol.js';
import type { EpochRecord } from './trainBayesianCnnLoop.js';
import type { TrainData } from './trainBayesianCnnData.js';
import type { TestMetrics } from './trainBayesianCnnEvaluate.js';
import { ASKED_BY_MOST } from '../../train/metrics/voteFractionMetrics.js';

/** Rows of history.csv: one per epoch, per-question losses as `train_loss/<q>` and `val_loss/<q>` columns. */
export function writeHistory(run: RunFolder, history: readonly EpochRecord[]): void {
  run.writeJson('history.json', history);
  writeCsvTable(run.path('history.csv'), history.map((r) => ({
    epoch: r.epoch, step: r.step, galaxies: r.galaxies, train_loss: r.trainLoss, val_loss: r.valLoss, best: r.best ? 1 : 0, seconds: r.seconds,
    ...Object.fromEntries(Object.entries(r.trainQuestionLoss).map(([k, v]) => [`train_loss/${k}`, finiteOrNull(v)])),
    ...Object.fromEntries(Object.entries(r.valQuestionLoss).map(([k, v]) => [`val_loss/${k}`, finiteOrNull(v)])),
  })));
}

/** learning_curve.{svg,png} (train and validation loss) and question_losses.{svg,png} (validation loss per question). */
export async function writeLearningCurves(run: RunFolder, history: readonly EpochRecord[]): Promise<string[]> {
  if (history.length === 0) return [];
  const epochs = history.map((r) => r.epoch);
  await writeFigure(run.path('learning_curve'), lineChart([
    { label: 'train', x: epochs, y: history.map((r) => r.trainLoss) },
    { label: 'validation', x: epochs, y: history.map((r) => r.valLoss) },
  ], { title: 'Learning curve', xLabel: 'epoch', yLabel: 'NLL per galaxy (summed over questions)' }));
  const keys = Object.keys(history[0].valQuestionLoss);
  const series: LineSeries[] = keys
    .map((k) => ({ label: k, x: epochs, y: history.map((r) => r.valQuestionLoss[k]) }))
    .filter((s) => s.y.every((v) => Number.isFinite(v)));
  if (series.length === 0) return ['learning_curve.png'];
  await writeFigure(run.path('question_losses'), lineChart(series, { title: 'Validation loss per question', xLabel: 'epoch', yLabel: 'mean NLL (galaxies asked)' }));
  return ['learning_curve.png', 'question_losses.png'];
}

export interface TrainReport {
  data: TrainData;
  head: string;
  target: string | null;
  history: EpochRecord[];
  bestEpoch: number;
  step: number;
  test: { galaxies: number; loss: number; questionLoss: Record<string, number>; metrics: TestMetrics; passes: number };
  badImages: BadImage[];
  figures: string[];
  resumedFrom: number | null;
  seconds: number;
}

export function writeTrainReport(run: RunFolder, r: TrainReport): void {
  const { data, test } = r;
  const galaxies = { train: data.split.train.length, trainAvailable: data.trainAvailable, trainPseudo: data.pseudo?.rows.length ?? 0, val: data.split.val.length, test: data.split.test.length };
  const coverage = new Map(test.metrics.coverage.map((c) => [c.answer, c.coverageError]));
  writeCsvTable(run.path('test_metrics.csv'), test.metrics.perAnswer.map((a, k) => ({
    question: a.question, answer: a.answer, galaxies: a.galaxies, rmse: finiteOrNull(a.rmse), mae: finiteOrNull(a.mae),
    baseline_rmse: finiteOrNull(test.metrics.baseline.perAnswer[k].rmse), coverage_error: coverage.get(a.answer) ?? null,
  })));
  writeCsvTable(run.path('test_questions.csv'), questionRows(test.metrics));
  run.writeJson('results.json', {
    model: 'model', head: r.head, target: r.target, bestEpoch: r.bestEpoch, bestValLoss: r.history.find((h) => h.epoch === r.bestEpoch)?.valLoss ?? null,
    epochs: r.history.length, step: r.step, resumedFromEpoch: r.resumedFrom, seconds: r.seconds, labels: data.labelNote, galaxies,
    selfTraining: data.pseudo?.note ?? null,
    validations: r.history.length, stoppedBy: r.history.at(-1)?.stoppedBy ?? 'epochs',
    test: { galaxies: test.galaxies, passes: test.passes, loss: test.loss, questionLoss: nullNaN(test.questionLoss), rmse: test.metrics.rmse, mae: test.metrics.mae,
      perQuestion: questionRows(test.metrics),
      perAnswer: test.metrics.perAnswer.map((a) => ({ ...a, rmse: finiteOrNull(a.rmse), mae: finiteOrNull(a.mae) })),
      baseline: { rmse: test.metrics.baseline.rmse, mae: test.metrics.baseline.mae },
      coverage: test.metrics.coverage },
    leftOut: { rows: data.leftOut, images: r.badImages },
    figures: r.figures,
  });
  run.writeText('summary.md', summaryMarkdown(r, galaxies, run.dir));
}

function summaryMarkdown(r: TrainReport, galaxies: { train: number; trainAvailable: number; trainPseudo: number; val: number; test: number }, dir: string): string {
  const { test } = r;
  const best = r.history.find((h) => h.epoch === r.bestEpoch);
  const lines = [
    `# Bayesian CNN training`, '',
    `Head \`${r.head}\`${r.target === null ? ' (every question)' : ` (\`${r.target}\`)`}; labels: ${r.data.labelNote}.`,
    `Galaxies: ${galaxies.train} train${galaxies.train < galaxies.trainAvailable ? ` (of ${galaxies.trainAvailable} available, seeded choice)` : ''}, ${galaxies.val} validation, ${galaxies.test} test.`,
    ...(r.data.pseudo === null ? [] : [`Self-training: ${r.data.pseudo.note}.`]),
    `${r.history.length} epochs, ${r.step} optimiser steps${r.resumedFrom === null ? '' : ` (resumed after epoch ${r.resumedFrom})`}, ${r.seconds.toFixed(0)} s this session.`,
    `Best validation loss ${best?.valLoss.toFixed(4) ?? '–'} at epoch ${r.bestEpoch}: that model is in \`model/\` (\`galmorph predict --model ${dir}/model --catalog DIR --out DIR\`); the latest state, for \`--resume\`, is in \`last/\`.`,
    '', '## Test set (best model)', '',
    `${test.galaxies} galaxies, ${test.passes} MC-dropout passes. Loss ${test.loss.toFixed(4)}; vote-fraction RMSE ${test.metrics.rmse.toFixed(4)}, MAE ${test.metrics.mae.toFixed(4)} (pooled over answers, galaxies whose question got votes).`, '',
    'Per question (galaxies whose question got votes; questions no test galaxy was asked are left out), beside predicting the training mean for every galaxy;',
    `the last two columns count only the galaxies whose question was asked of at least ${100 * ASKED_BY_MOST}% of their volunteers (Walmsley et al. 2022's convention: fractions from one or two votes are mostly noise):`, '',
    markdownTable(questionRows(test.metrics).filter((q) => q.galaxies > 0).map((q) => ({ question: q.question, galaxies: q.galaxies, 'sum-abs': q.sum_abs, RMSE: q.rmse,
      'mean: sum-abs': q.baseline_sum_abs, 'mean: RMSE': q.baseline_rmse, 'RMSE gain': percent(q.rmse_gain),
      [`asked by ≥ ${100 * ASKED_BY_MOST}%: galaxies`]: q.galaxies_asked_by_most, [`asked by ≥ ${100 * ASKED_BY_MOST}%: RMSE gain`]: percent(q.rmse_gain_asked_by_most) })), { decimals: 4 }),
    '', 'Per answer, with the coverage error within ±0.2 vote fraction (predicted vs observed share of galaxies inside it):', '',
    markdownTable(test.metrics.perAnswer.filter((a) => a.galaxies > 0).map((a) => ({ answer: a.answer, galaxies: a.galaxies, RMSE: a.rmse, MAE: a.mae,
      'coverage error': test.metrics.coverage.find((c) => c.answer === a.answer)?.coverageError ?? Number.NaN })), { decimals: 4 }),
    '', '## Learning curve', '',
    `${r.history.length} validations ran (one per epoch${r.history.at(-1)?.stoppedBy === 'time' ? ', the last on the part-epoch the time budget ended' : ''}).`, '',
    markdownTable(r.history.map((h) => ({ epoch: h.epoch, step: h.step, 'train loss': h.trainLoss, 'val loss': h.valLoss, best: h.best ? '✓' : '' })), { decimals: 4 }),
    '', `Figures: ${r.figures.join(', ') || 'none'}. Tables: history.csv, test_metrics.csv, results.json.`, '',
  ];
  const rows = r.data.leftOut;
  lines.push('## Left out', '');
  if (rows.length === 0 && r.badImages.length === 0) lines.push('No catalog rows or images were left out.');
  if (rows.length > 0) {
    lines.push(`${rows.length} catalog rows (all listed in results.json):`, '');
    for (const s of rows.slice(0, 20)) lines.push(`- ${s.id} (row ${s.row}): ${s.reason}`);
    if (rows.length > 20) lines.push(`- … and ${rows.length - 20} more`);
  }
  if (r.badImages.length > 0) {
    lines.push('', `${r.badImages.length} unusable images (all listed in results.json):`, '');
    for (const b of r.badImages.slice(0, 20)) lines.push(`- ${b.id}: ${b.reason}`);
    if (r.badImages.length > 20) lines.push(`- … and ${r.badImages.length - 20} more`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Per-question rows: the model's errors, the predict-the-mean baseline's and the RMSE gain over it. */
interface QuestionRow {
  [column: string]: string | number | null;
  question: string;
  galaxies: number;
  sum_abs: number | null;
  rmse: number | null;
  mae: number | null;
  baseline_sum_abs: number | null;
  baseline_rmse: number | null;
  rmse_gain: number | null;
  /** The same over the galaxies whose question was asked of at least ASKED_BY_MOST of their volunteers. */
  galaxies_asked_by_most: number;
  rmse_asked_by_most: number | null;
  baseline_rmse_asked_by_most: number | null;
  rmse_gain_asked_by_most: number | null;
}

function questionRows(m: TestMetrics): QuestionRow[] {
  const most = m.askedByMost;
  return m.perQuestion.map((q, k) => {
    const b = m.baseline.perQuestion[k];
    const qm = most.model.perQuestion[k];
    return { question: q.question, galaxies: q.galaxies, sum_abs: finiteOrNull(q.sumAbs), rmse: finiteOrNull(q.rmse), mae: finiteOrNull(q.mae),
      baseline_sum_abs: finiteOrNull(b.sumAbs), baseline_rmse: finiteOrNull(b.rmse), rmse_gain: rmseGain(q.rmse, b.rmse),
      galaxies_asked_by_most: qm.galaxies, rmse_asked_by_most: finiteOrNull(qm.rmse), baseline_rmse_asked_by_most: finiteOrNull(most.baseline.perQuestion[k].rmse),
      rmse_gain_asked_by_most: rmseGain(qm.rmse, most.baseline.perQuestion[k].rmse) };
  });
}

/** 1 − RMSE / baseline RMSE, null when either is undefined. */
function rmseGain(rmse: number, baseline: number): number | null {
  return finiteOrNull(Number.isFinite(rmse) && baseline > 0 ? 1 - rmse / baseline : Number.NaN);
}

function percent(share: number | null): string {
  return share === null ? '–' : `${(100 * share).toFixed(0)}%`;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function nullNaN(record: Record<string, number>): Record<string, number | null> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, finiteOrNull(v)]));
}
