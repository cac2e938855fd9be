/**
 * An active-learning experiment repeated over seeds (`--seeds n`): each seed is a whole run in OUT/seed<k>/ (its own
 * data split, initial labels, pool, test galaxies and weights, and its own report); this file combines their
 * results.json into OUT/: the label saving of every seed and its mean with a 95% Student-t confidence interval, the
 * saving read off the seed-mean curves, the error per round as mean ± CI, the coverage error per round and of the
 * final models as mean ± CI (raw, and calibrated on the validation galaxies with the fitted scalar when the seeds
 * were calibrated), curve_seeds.csv, savings.csv, error-vs-labels figures and summary.md.
 * The saving of a seed is read at the worse of its two final errors (activeLearnMetrics.ts), so every seed has one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCsvTable } from '../../report/csvTable.js';
import { lineChart, type LineSeries } from '../../report/lineChart.js';
import { markdownTable } from '../../report/markdownTable.js';
import { writeFigure } from '../../report/writeFigure.js';
import { InputError } from '../../util/errors.js';
import { meanInterval, type MeanInterval } from '../../util/meanInterval.js';
import type { RunFolder } from '../../util/runFolder.js';
import { labelSaving, type LabelSaving } from './activeLearnMetrics.js';

/** The parts of a seed's results.json (activeLearnReport.ts) the combination reads. */
export interface SeedResults {
  curve: {
    acquisition: string; round: number; labels: number; errorVotes: number; errorTruth: number | null; coverageError: number;
    /** Absent in runs made before calibration existed; null with --calibrate none. */
    coverageErrorCalibrated?: number | null; calibration?: { parameter: string; value: number } | null;
  }[];
  labelSaving: Record<string, LabelSaving>;
  calibration: Record<string, { coverageError: number; calibrated?: { coverageError: number; parameter: string; value: number } | null }>;
}

export interface SeedRun {
  seed: number;
  /** The seed's run folder. */
  dir: string;
  results: SeedResults;
}

export function readSeedRun(seed: number, dir: string): SeedRun {
  const file = join(dir, 'results.json');
  let results: SeedResults;
  try {
    results = JSON.parse(readFileSync(file, 'utf8')) as SeedResults;
  } catch (e) {
    throw new InputError(`cannot read the results of seed ${seed}: ${(e as Error).message}`, { file }, 'run that seed again (delete its folder) or start a new run folder');
  }
  if (!Array.isArray(results.curve) || typeof results.labelSaving !== 'object') {
    throw new InputError(`the results of seed ${seed} lack "curve" or "labelSaving"`, { file }, 'run that seed again (delete its folder)');
  }
  return { seed, dir, results };
}

export interface SavingOverSeeds {
  /** Against which target: 'votes' or (simulated data) 'truth'. */
  target: string;
  perSeed: { seed: number; saving: LabelSaving }[];
  /** Mean and 95% CI of the saving over the seeds. */
  interval: MeanInterval;
  /** The saving read off the seed-mean curves (error at each label count averaged over seeds). */
  onMeanCurves: LabelSaving;
}

export interface CurveRow {
  acquisition: string;
  round: number;
  labels: number;
  seeds: number;
  errorVotes: MeanInterval;
  errorTruth: MeanInterval | null;
  coverageError: MeanInterval;
  /** The calibrated coverage error and the fitted scalar (null unless every seed calibrated this round). */
  coverageErrorCalibrated: MeanInterval | null;
  calibrationValue: MeanInterval | null;
}

/** The curves averaged over seeds, per acquisition function and round (every seed must have the same label counts). */
export function meanCurves(runs: readonly SeedRun[]): CurveRow[] {
  const keys = [...new Set(runs.flatMap((r) => r.results.curve.map((p) => `${p.acquisition}|${p.round}`)))];
  return keys.map((key) => {
    const points = runs.flatMap((r) => r.results.curve.filter((p) => `${p.acquisition}|${p.round}` === key));
    const labels = new Set(points.map((p) => p.labels));
    if (labels.size !== 1) {
      throw new InputError(`the seeds disagree on the labels of ${key.replace('|', ' round ')}: ${[...labels].join(', ')}`, {}, 'combine runs made with the same options');
    }
    const truth = points.every((p) => p.errorTruth !== null && Number.isFinite(p.errorTruth));
    const calibrated = points.every((p) => typeof p.coverageErrorCalibrated === 'number' && p.calibration != null);
    return {
      acquisition: points[0].acquisition, round: points[0].round, labels: points[0].labels, seeds: points.length,
      errorVotes: meanInterval(points.map((p) => p.errorVotes)),
      errorTruth: truth ? meanInterval(points.map((p) => p.errorTruth as number)) : null,
      coverageError: meanInterval(points.map((p) => p.coverageError)),
      coverageErrorCalibrated: calibrated ? meanInterval(points.map((p) => p.coverageErrorCalibrated as number)) : null,
      calibrationValue: calibrated ? meanInterval(points.map((p) => p.calibration!.value)) : null,
    };
  });
}

/** The label saving of `main` over `baseline` per seed, its mean ± CI, and on the seed-mean curves. */
export function savingOverSeeds(runs: readonly SeedRun[], curves: readonly CurveRow[], main: string, baseline: string, target: 'votes' | 'truth'): SavingOverSeeds | null {
  const perSeed = runs.flatMap((r) => (r.results.labelSaving[target] ? [{ seed: r.seed, saving: r.results.labelSaving[target] }] : []));
  if (perSeed.length === 0) return null;
  const curveOf = (a: string) => curves.filter((c) => c.acquisition === a).sort((x, y) => x.round - y.round)
    .map((c) => ({ labels: c.labels, error: (target === 'votes' ? c.errorVotes : c.errorTruth!).mean }));
  return {
    target,
    perSeed,
    interval: meanInterval(perSeed.map((s) => s.saving.saving)),
    onMeanCurves: labelSaving(curveOf(main), curveOf(baseline)),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function intervalPct(i: MeanInterval): string {
  if (i.n === 0) return '—';
  return Number.isFinite(i.halfWidth) ? `${pct(i.mean)} ± ${(100 * i.halfWidth).toFixed(0)} points (95% CI ${pct(i.mean - i.halfWidth)} to ${pct(i.mean + i.halfWidth)})` : `${pct(i.mean)} (one seed: no interval)`;
}

function savingText(s: LabelSaving, main: string): string {
  return `${pct(s.saving)} (error ${s.targetError.toFixed(4)}: ${main} ${s.acquisitionLabels.toFixed(0)} labels, random ${s.baselineLabels.toFixed(0)})`;
}

const meanCi = (i: MeanInterval, decimals: number) => Number.isFinite(i.halfWidth) ? `${i.mean.toFixed(decimals)} ± ${i.halfWidth.toFixed(decimals)}` : i.mean.toFixed(decimals);

/** Writes the combined report of the seeds' runs into `run` (the parent folder). */
export async function writeSeedsReport(run: RunFolder, runs: readonly SeedRun[], o: { preset: string; acquisitions: readonly string[]; answer: string; seconds: number; commandLine: string | null }): Promise<string> {
  const [main, baseline] = [o.acquisitions[0], o.acquisitions[o.acquisitions.length - 1]];
  const curves = meanCurves(runs);
  const hasTruth = curves.every((c) => c.errorTruth !== null);
  const savings = (hasTruth ? (['votes', 'truth'] as const) : (['votes'] as const))
    .map((t) => savingOverSeeds(runs, curves, main, baseline, t)).filter((s): s is SavingOverSeeds => s !== null);
  const finalCoverage = Object.fromEntries(o.acquisitions.map((a) => [a, meanInterval(runs.map((r) => r.results.calibration[a]?.coverageError ?? Number.NaN))]));
  const calibratedSeeds = (a: string) => runs.map((r) => r.results.calibration[a]?.calibrated ?? null);
  const finalCalibrated = Object.fromEntries(o.acquisitions.flatMap((a) => {
    const c = calibratedSeeds(a);
    if (c.some((x) => x === null)) return [];
    return [[a, { coverageError: meanInterval(c.map((x) => x!.coverageError)), parameter: c[0]!.parameter, value: meanInterval(c.map((x) => x!.value)), perSeed: c.map((x) => x!.value) }]];
  }));
  const calibrating = curves.every((c) => c.coverageErrorCalibrated !== null);

  run.writeJson('results.json', { preset: o.preset, seeds: runs.map((r) => ({ seed: r.seed, dir: r.dir })), answer: o.answer, seconds: o.seconds, curve: curves, labelSaving: savings,
    finalCoverageError: finalCoverage, finalCoverageErrorCalibrated: finalCalibrated });
  writeCsvTable(run.path('curve_seeds.csv'), curves.map((c) => ({
    acquisition: c.acquisition, round: c.round, labels: c.labels, seeds: c.seeds, rmse_votes_mean: c.errorVotes.mean, rmse_votes_ci95: c.errorVotes.halfWidth,
    rmse_truth_mean: c.errorTruth?.mean ?? null, rmse_truth_ci95: c.errorTruth?.halfWidth ?? null, coverage_error_mean: c.coverageError.mean, coverage_error_ci95: c.coverageError.halfWidth,
    coverage_error_calibrated_mean: c.coverageErrorCalibrated?.mean ?? null, coverage_error_calibrated_ci95: c.coverageErrorCalibrated?.halfWidth ?? null,
    calibration_value_mean: c.calibrationValue?.mean ?? null, calibration_value_ci95: c.calibrationValue?.halfWidth ?? null,
  })));
  writeCsvTable(run.path('savings.csv'), savings.flatMap((s) => s.perSeed.map((p) => ({
    target: s.target, seed: p.seed, target_error: p.saving.targetError, acquisition_labels: p.saving.acquisitionLabels,
    baseline_labels: p.saving.baselineLabels, saving: p.saving.saving,
  }))));
  for (const key of hasTruth ? (['errorVotes', 'errorTruth'] as const) : (['errorVotes'] as const)) {
    const series: LineSeries[] = o.acquisitions.map((a) => {
      const pts = curves.filter((c) => c.acquisition === a).sort((x, y) => x.round - y.round);
      return { label: a, x: pts.map((p) => p.labels), y: pts.map((p) => p[key]!.mean), sd: pts.map((p) => p[key]!.sd) };
    });
    await writeFigure(run.path(key === 'errorVotes' ? 'error_vs_labels_votes' : 'error_vs_labels_truth'), lineChart(series, {
      title: `${o.answer}: RMSE vs ${key === 'errorVotes' ? 'volunteer fractions' : 'true probabilities'}, mean ± sd over ${runs.length} seeds`,
      xLabel: 'labelled galaxies', yLabel: 'RMSE of vote fraction',
    }));
  }
  const lines = [
    `# Active learning over ${runs.length} seeds (${o.preset} preset)`, '',
    ...(o.commandLine === null ? [] : [`Command: \`${o.commandLine}\``, '']),
    `Seeds ${runs.map((r) => r.seed).join(', ')}, each a whole run (its own split, initial labels, pool, test galaxies and weights) in ${runs.map((r) => `\`seed${r.seed}/\``).join(', ')} with its own summary. Wall time ${o.seconds.toFixed(0)} s. Intervals are 95% Student-t intervals of the mean over seeds.`,
    '', `## Label saving of ${main} against ${baseline} at equal error`, '',
    `Per seed, the labels each needs to first reach the worse of the two final errors; saving = 1 − labels(${main}) / labels(${baseline}).`, '',
  ];
  for (const s of savings) {
    lines.push(`- vs ${s.target}: mean over ${s.interval.n} seeds ${intervalPct(s.interval)}; on the seed-mean curves ${savingText(s.onMeanCurves, main)}.`);
    for (const p of s.perSeed) lines.push(`  - seed ${p.seed}: ${savingText(p.saving, main)}`);
  }
  lines.push('', '## RMSE per round (mean ± 95% CI over seeds)', '',
    markdownTable(curves.map((c) => ({
      acquisition: c.acquisition, round: c.round, labels: c.labels, seeds: c.seeds, 'RMSE vs votes': meanCi(c.errorVotes, 4),
      ...(hasTruth ? { 'RMSE vs truth': meanCi(c.errorTruth!, 4) } : {}), 'coverage error': meanCi(c.coverageError, 3),
      ...(calibrating ? { 'coverage error, calibrated': meanCi(c.coverageErrorCalibrated!, 3), 'fitted scalar': meanCi(c.calibrationValue!, 3) } : {}),
    }))),
    '## Calibration of the final models (coverage error within ±0.2 vote fraction)', '',
    ...(calibrating ? ['Raw: the model\'s MC-dropout mixture; calibrated: widened by the over-dispersion scalar fitted each round on the validation galaxies (never the test galaxies). BALD uses the raw model.', ''] : []),
    ...o.acquisitions.flatMap((a) => [`- ${a}, raw: ${meanCi(finalCoverage[a], 3)}`,
      ...(finalCalibrated[a] === undefined ? [] : [`- ${a}, calibrated: ${meanCi(finalCalibrated[a].coverageError, 3)} (fitted ${finalCalibrated[a].parameter} per seed: ${finalCalibrated[a].perSeed.map((v) => v.toPrecision(3)).join(', ')})`])]),
    '', 'Figures: error_vs_labels_votes.png' + (hasTruth ? ', error_vs_labels_truth.png' : '') + ' (mean ± sd over seeds); per-seed figures, grids and calibration in each seed folder.', '');
  const summary = lines.join('\n');
  run.writeText('summary.md', summary);
  return summary;
}
