/**
 * The report of an active-learning run: tables (curve.csv, acquisitions.csv: every galaxy each round acquired with its
 * BALD score, results.json), plots (error against labels, against
 * noisy votes and against the true probabilities; discrete-coverage calibration of the raw predictive and, with
 * `calibrate: 'validation'`, of the predictive widened by the round's over-dispersion scalar fitted on the
 * validation galaxies, with that scalar), image grids of the galaxies acquired each round, properties of acquired vs
 * pool galaxies (simulated truth), and summary.md.
 */
import { writeCsvTable } from '../../report/csvTable.js';
import { lineChart, type LineSeries } from '../../report/lineChart.js';
import { writeFigure } from '../../report/writeFigure.js';
import { writeImageGrid } from '../../report/imageGrid.js';
import { markdownTable } from '../../report/markdownTable.js';
import type { DiscreteCoverage } from '../../active/calibration.js';
import type { OverdispersionFit } from '../../active/overdispersionCalibration.js';
import { answerCoverage } from '../../train/metrics/answerCoverage.js';
import { InputError } from '../../util/errors.js';
import { mean } from '../../util/stats.js';
import type { AcquisitionFunction } from '../../active/acquisition.js';
import type { RunFolder } from '../../util/runFolder.js';
import { labelSaving, type LabelSaving } from './activeLearnMetrics.js';
import type { ActiveLearnData, ActiveLearnGalaxy } from './activeLearnData.js';
import type { ActiveLearnOptions } from './activeLearn.js';
import { headBiasOf, type RoundTraining } from './activeLearnLoop.js';

export interface RoundRecord {
  acquisition: AcquisitionFunction;
  round: number;
  labels: number;
  errorVotes: number;
  errorTruth: number;
  seconds: number;
  /** How the round's training went (epochs, kept epoch, stop reason). */
  training: RoundTraining;
  acquired: { galaxy: ActiveLearnGalaxy; score: number }[];
  /** Per-pass test predictions of this round's model [T][B][width]. */
  testPasses: number[][][];
  /** The over-dispersion scalar fitted on the validation galaxies (null without calibration). */
  calibration: OverdispersionFit | null;
}

export interface ReportInput {
  data: ActiveLearnData;
  /** The run's resolved options. */
  settings: ActiveLearnOptions;
  records: RoundRecord[];
  answer: string;
  acquisitions: AcquisitionFunction[];
  seconds: number;
}

/** Truth columns compared between acquired and pool galaxies in the summary (when the simulator wrote them). */
const HIGHLIGHTED_TRUTH = ['p_q1_features_or_disk', 'halfLightRadius', 'snr', 'psfFwhm', 'barStrength'];

export async function writeActiveLearnReport(run: RunFolder, input: ReportInput): Promise<void> {
  const { data, records, acquisitions, answer, settings } = input;
  const hasTruth = records.some((r) => !Number.isNaN(r.errorTruth));
  // Calibration of every round's model on the test split (discrete coverage within ±0.2 of the vote fraction): the
  // raw predictive, and the one widened by the scalar fitted on the validation galaxies.
  const roundCoverage = records.map((r) => coverageOf(r.testPasses, data, settings, answer, null).coverageError);
  const roundCalibrated = records.map((r) => (r.calibration === null ? null : coverageOf(r.testPasses, data, settings, answer, r.calibration.value).coverageError));
  writeCsvTable(run.path('curve.csv'), records.map((r, i) => ({
    acquisition: r.acquisition, round: r.round, labels: r.labels, rmse_votes: r.errorVotes, rmse_truth: hasTruth ? r.errorTruth : null,
    coverage_error: roundCoverage[i], coverage_error_calibrated: roundCalibrated[i], calibration_parameter: r.calibration?.parameter ?? null,
    calibration_value: r.calibration?.value ?? null, calibration_at_bound: r.calibration?.atBound ?? null,
    epochs: r.training.epochs, best_epoch: r.training.bestEpoch, best_validation: r.training.bestValidation,
    stopped_by: r.training.stoppedBy, seconds: r.seconds,
  })));
  writeCsvTable(run.path('acquisitions.csv'), records.flatMap((r) => r.acquired.map((a, k) => ({
    acquisition: r.acquisition, round: r.round, labels: r.labels, rank: k + 1, id: a.galaxy.id, bald: a.score,
  }))), { columns: ['acquisition', 'round', 'labels', 'rank', 'id', 'bald'] });
  const curve = (a: AcquisitionFunction, key: 'errorVotes' | 'errorTruth') =>
    records.filter((r) => r.acquisition === a).map((r) => ({ labels: r.labels, error: r[key] }));
  const [main, baseline] = [acquisitions[0], acquisitions[acquisitions.length - 1]];
  const savings: Record<string, LabelSaving> = { votes: labelSaving(curve(main, 'errorVotes'), curve(baseline, 'errorVotes')) };
  if (hasTruth) savings.truth = labelSaving(curve(main, 'errorTruth'), curve(baseline, 'errorTruth'));

  for (const key of hasTruth ? (['errorVotes', 'errorTruth'] as const) : (['errorVotes'] as const)) {
    const series: LineSeries[] = acquisitions.map((a) => ({ label: a, x: curve(a, key).map((p) => p.labels), y: curve(a, key).map((p) => p.error) }));
    await writeFigure(run.path(key === 'errorVotes' ? 'error_vs_labels_votes' : 'error_vs_labels_truth'), lineChart(series, {
      title: `${answer}: RMSE vs ${key === 'errorVotes' ? 'volunteer fractions' : 'true probabilities'}`, xLabel: 'labelled galaxies', yLabel: 'RMSE of vote fraction',
    }));
  }

  const calibration: Record<string, FinalCalibration> = {};
  for (const a of acquisitions) {
    const last = records.filter((r) => r.acquisition === a).at(-1);
    if (last !== undefined) {
      calibration[a] = { raw: coverageOf(last.testPasses, data, settings, answer, null), fit: last.calibration,
        calibrated: last.calibration === null ? null : coverageOf(last.testPasses, data, settings, answer, last.calibration.value) };
    }
  }
  const calSeries: LineSeries[] = Object.entries(calibration).flatMap(([a, c]) => [
    { label: `${a} (final, raw)`, x: c.raw.predicted, y: c.raw.observed },
    ...(c.calibrated === null ? [] : [{ label: `${a} (final, calibrated)`, x: c.calibrated.predicted, y: c.calibrated.observed }]),
  ]);
  await writeFigure(run.path('calibration'), lineChart(calSeries, {
    title: `Discrete coverage, ${answer}`, xLabel: 'predicted galaxies within ±w votes', yLabel: 'observed galaxies within ±w votes', referenceLine: 'diagonal',
  }));
  writeCsvTable(run.path('calibration.csv'), Object.entries(calibration).flatMap(([a, c]) =>
    c.raw.widths.map((w, i) => ({ acquisition: a, width: w, predicted: c.raw.predicted[i], observed: c.raw.observed[i], predicted_calibrated: c.calibrated?.predicted[i] ?? null }))));

  const [side, , channels] = data.imageShape;
  const grids: string[] = [];
  for (const r of records.filter((x) => x.acquired.length > 0)) {
    const shown = r.acquired.slice(0, 16);
    const file = `grids/${r.acquisition}_round${String(r.round).padStart(2, '0')}.png`;
    await writeImageGrid(run.path(file), shown.map(({ galaxy }) => ({ data: galaxy.pixels, height: side, width: side, channels: channels as 1 | 3 })), {
      cols: 8, scale: Math.max(1, Math.round(96 / side)),
      captions: shown.map(({ galaxy, score }) => caption(galaxy, score, r.acquisition, data, answer)),
    });
    grids.push(file);
  }

  const acquiredVsPool = truthComparison(data, records, main);
  const results = {
    preset: settings.preset, settings, answer, labels: data.labelNote, seconds: input.seconds,
    galaxies: { initial: data.initial.length, pool: data.pool.length, test: data.test.length },
    labelKind: data.catalog.labelKindReason ?? data.catalog.labelKind,
    skippedCount: data.skipped.length, skipped: data.skipped,
    curve: records.map(({ acquisition, round, labels, errorVotes, errorTruth, seconds, training, calibration: fit }, i) => ({
      acquisition, round, labels, errorVotes, errorTruth: hasTruth ? errorTruth : null, coverageError: roundCoverage[i],
      coverageErrorCalibrated: roundCalibrated[i], calibration: fit, training, seconds,
    })),
    labelSaving: savings,
    calibration: Object.fromEntries(Object.entries(calibration).map(([a, c]) => [a, {
      fractionTolerance: 0.2, coverageError: c.raw.coverageError, predictedWithinTolerance: c.raw.predictedWithinTolerance, observedWithinTolerance: c.raw.observedWithinTolerance,
      calibrated: c.calibrated === null || c.fit === null ? null : {
        ...c.fit, coverageError: c.calibrated.coverageError, predictedWithinTolerance: c.calibrated.predictedWithinTolerance, observedWithinTolerance: c.calibrated.observedWithinTolerance,
      },
    }])),
    acquiredVsPool,
    grids,
  };
  run.writeJson('results.json', results);
  run.writeText('summary.md', summaryMarkdown(input, savings, calibration, acquiredVsPool, hasTruth, roundCoverage, roundCalibrated));
}

/** A final model's test calibration: raw, and with its round's fitted scalar (null without calibration). */
interface FinalCalibration {
  raw: DiscreteCoverage;
  fit: OverdispersionFit | null;
  calibrated: DiscreteCoverage | null;
}

function coverageOf(passes: number[][][], data: ActiveLearnData, settings: ActiveLearnOptions, answer: string, scalar: number | null): DiscreteCoverage {
  const coverage = answerCoverage(passes, data.test.map((g) => g.counts), data.schema, settings.head, answer, 0.2, scalar);
  if (coverage === null) throw new InputError(`no test galaxy received votes for the question of ${answer}, so calibration cannot be measured`, {}, 'use a test split with votes for that question');
  return coverage;
}

function caption(g: ActiveLearnGalaxy, score: number, acquisition: AcquisitionFunction, data: ActiveLearnData, answer: string): string {
  const a = data.schema.answerIndex(answer);
  const q = data.schema.questions[data.schema.answers[a].questionIndex];
  let n = 0;
  for (let i = q.start; i < q.end; i++) n += g.counts[i];
  const votes = n > 0 ? `${(g.counts[a] / n).toFixed(2)}` : '–';
  const head = acquisition === 'random' ? '' : `MI ${score.toFixed(2)} `;
  const truth = g.truth?.[`p_${answer}`];
  return `${head}f ${votes}${truth === undefined ? '' : ` p ${truth.toFixed(2)}`}`;
}

/** Mean of each numeric truth column over the galaxies `main` acquired, and over the initial pool. */
function truthComparison(data: ActiveLearnData, records: RoundRecord[], main: AcquisitionFunction): Record<string, { acquired: number; pool: number }> {
  if (data.truthColumns.length === 0) return {};
  const acquired = records.filter((r) => r.acquisition === main).flatMap((r) => r.acquired.map((x) => x.galaxy));
  const truthMean = (gs: ActiveLearnGalaxy[], c: string) => mean(gs.map((g) => g.truth?.[c] ?? Number.NaN).filter((x) => !Number.isNaN(x)));
  return Object.fromEntries(data.truthColumns.map((c) => [c, { acquired: truthMean(acquired, c), pool: truthMean(data.pool, c) }]));
}

function summaryMarkdown(
  input: ReportInput, savings: Record<string, LabelSaving>, calibration: Record<string, FinalCalibration>,
  acquiredVsPool: Record<string, { acquired: number; pool: number }>, hasTruth: boolean, roundCoverage: number[], roundCalibrated: (number | null)[],
): string {
  const percent = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
  const calibrating = input.records.some((r) => r.calibration !== null);
  const { records, acquisitions, answer, data, settings } = input;
  const lines = [
    `# Active learning (${settings.preset} preset)`, '',
    data.skipped.length > 0
      ? `Left out (--on-bad skip): ${data.skipped.length} galaxies, listed with reasons in results.json; first: ${data.skipped.slice(0, 5).map((x) => `${x.kind} ${x.id}`).join(', ')}.`
      : 'No galaxies were left out.',
    `Labels: ${data.labelNote} (read as ${data.catalog.labelKindReason ?? data.catalog.labelKind}). Start ${data.initial.length} labelled, ${settings.perRound} acquired per round for ${settings.rounds} rounds from a pool of ${data.pool.length}; test ${data.test.length} galaxies never acquired.`,
    `Head \`${settings.head}\` (initial bias ${headBiasOf(settings)}), acquisition by ${settings.head === 'binomial' ? 'the binomial BALD of the scored answer' : settings.baldScope === 'scored' ? 'the Dirichlet-multinomial BALD of the scored answer\'s question' : 'the sum of every question\'s Dirichlet-multinomial BALD'}; T = ${settings.passes} MC-dropout passes, N = ${settings.votes}, ${settings.imageSize}×${settings.imageSize} images.`,
    `Training, the same rule for every acquisition function: each round up to ${settings.epochs} epochs (${settings.retrain}), validated every epoch on ${data.val.length} labelled galaxies never acquired (RMSE of the scored answer vs votes)${settings.patience > 0 ? `, stopped after ${settings.patience} epochs without a better score` : ''}; the best epoch's weights are scored and acquire. Wall time ${input.seconds.toFixed(0)} s.`,
    '', `## RMSE of the \`${answer}\` vote fraction and calibration on the test split, per round`, '',
    markdownTable(records.map((r, i) => ({
      acquisition: r.acquisition, round: r.round, labels: r.labels, 'RMSE vs votes': r.errorVotes, ...(hasTruth ? { 'RMSE vs truth': r.errorTruth } : {}),
      'coverage error': percent(roundCoverage[i]),
      ...(calibrating ? { 'calibrated': percent(roundCalibrated[i]), [`fitted ${r.calibration?.parameter ?? 'scalar'}`]: r.calibration === null ? '—' : `${r.calibration.value.toPrecision(3)}${r.calibration.atBound === null ? '' : ` (${r.calibration.atBound} bound)`}` } : {}),
      epochs: r.training.epochs, 'best epoch': r.training.bestEpoch, 'stopped by': r.training.stoppedBy,
    })), { decimals: 4 }),
    '', '## Label saving at equal error', '',
    `Labels each needs to first reach the worse of the two final errors (linear interpolation between rounds); saving = 1 − labels(${acquisitions[0]}) / labels(random):`, '',
  ];
  for (const [k, s] of Object.entries(savings)) {
    lines.push(`- vs ${k}: error ${s.targetError.toFixed(4)} reached by ${acquisitions[0]} with ${s.acquisitionLabels.toFixed(0)} labels, by random with ` +
      `${s.baselineLabels.toFixed(0)}: saving ${(100 * s.saving).toFixed(0)}%`);
  }
  lines.push('', `## Calibration (discrete coverage of \`${answer}\` counts, final models)`, '',
    calibrating
      ? `Raw: the model's MC-dropout mixture. Calibrated: each pass's distribution widened by one over-dispersion scalar (${settings.head === 'dirichlet' ? 'a scale s on the Dirichlet concentrations' : 'the binomial replaced by a beta-binomial of concentration c'}) fitted by maximum likelihood to the ${data.val.length} validation galaxies' votes each round; the test galaxies are never used for the fit. BALD and the acquisitions use the raw model.`
      : 'The model\'s MC-dropout mixture (no post-hoc calibration: --calibrate none).', '');
  for (const [a, c] of Object.entries(calibration)) {
    lines.push(`- ${a}, raw: within ±0.2 vote fraction, predicted ${c.raw.predictedWithinTolerance.toFixed(1)} galaxies, observed ${c.raw.observedWithinTolerance}; coverage error ${percent(c.raw.coverageError)}`);
    if (c.calibrated !== null && c.fit !== null) {
      lines.push(`- ${a}, calibrated (${c.fit.parameter} ${c.fit.value.toPrecision(3)}${c.fit.atBound === null ? '' : `, at the ${c.fit.atBound} bound`}): predicted ${c.calibrated.predictedWithinTolerance.toFixed(1)}, observed ${c.calibrated.observedWithinTolerance}; coverage error ${percent(c.calibrated.coverageError)}`);
    }
  }
  const shown = Object.entries(acquiredVsPool).filter(([k]) => HIGHLIGHTED_TRUTH.includes(k));
  if (shown.length > 0) {
    lines.push('', `## What ${acquisitions[0]} acquired (simulated truth, mean over all acquired vs the initial pool)`, '',
      markdownTable(shown.map(([k, v]) => ({ property: k, acquired: v.acquired, pool: v.pool })), { decimals: 3 }));
  }
  lines.push('', 'Figures: error_vs_labels_votes.png' + (hasTruth ? ', error_vs_labels_truth.png' : '') + ', calibration.png; acquired galaxies per round in grids/.', '');
  return lines.join('\n');
}
