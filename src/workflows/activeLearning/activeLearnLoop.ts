/**
 * The active-learning loop as an async generator: rounds are events, so the CLI draws progress bars and a web UI
 * could stream the same loop. For each acquisition function (e.g. BALD, then the random baseline, from the same
 * initial labelled set, initial weights and seeds):
 *   train on the labelled set to convergence → score the test split (never acquired) → score the pool with T
 *   MC-dropout passes → acquire the top `perRound` → the oracle reveals their votes → repeat.
 * Training a round: up to `epochs` epochs, validated after each on the validation split (the scored answer's RMSE
 * against the votes, mean of T passes), stopped after `patience` epochs without a better score, and the best
 * epoch's weights kept — the same rule and budget for every acquisition function. With `retrain: 'warm-start'` a
 * round starts from the previous round's kept weights, with 'from-scratch' from the initial ones.
 * The pool's uncertainty is activeLearnBald.ts's: the scored answer's BALD by default (binomial head, or the scored
 * question's Dirichlet-multinomial term), the sum over every question with `baldScope: 'all'`.
 * With `calibrate: 'validation'` each round also fits one over-dispersion scalar of the scored answer's predictive
 * (active/overdispersionCalibration.ts) to the validation galaxies' votes, from the kept epoch's validation passes;
 * it is reported beside the raw predictive's calibration and changes nothing else: BALD, the acquisitions and the
 * RMSE stay those of the uncalibrated model (the scalar is fitted after the round is trained, and acquisition
 * ranks the model's own mutual information).
 */
import { trainingLoop, type StoppedBy } from '../../train/trainingLoop.js';
import { Rng } from '../../util/rng.js';
import { augmentImage, resolveAugmentOptions } from '../../data/augment.js';
import { acquire, type AcquisitionFunction } from '../../active/acquisition.js';
import { poolUncertainty } from './activeLearnBald.js';
import { createTrainer } from '../../train/dataParallel.js';
import type { Trainer, TrainerWeights } from '../../train/localTrainer.js';
import type { OptimizerState } from '../../models/optimizerState.js';
import type { HostBatch } from '../../data/hostBatch.js';
import { bayesianCnnTaskSpec, passSettings, type BayesianCnnTaskOptions } from '../../models/bayesianCnnTask.js';
import { resolveHead, type ResolvedHead } from '../../models/bayesianCnnHead.js';
import { summarisePasses } from '../predict/predictSummary.js';
import { rmse } from '../../util/stats.js';
import { voteFractionMetrics } from '../../train/metrics/voteFractionMetrics.js';
import { fitOverdispersion, type OverdispersionFit } from '../../active/overdispersionCalibration.js';
import { answerPassDistributions } from '../../train/metrics/answerCoverage.js';
import { InputError } from '../../util/errors.js';
import type { ActiveLearnData, ActiveLearnGalaxy } from './activeLearnData.js';
import type { ActiveLearnOptions } from './activeLearn.js';

export interface LoopOptions {
  /** The run's resolved options (head, sizes, rounds, answer, workers, backend, seed, …). */
  settings: ActiveLearnOptions;
  /** Acquisition functions to run in turn (the first is the one compared against the last, 'random'). */
  acquisitions: AcquisitionFunction[];
}

export interface TestScores {
  /** RMSE of the answer's predicted fraction against the volunteers' (noisy) fractions. */
  errorVotes: number;
  /** RMSE against the simulator's true probabilities (truth.csv `p_<answer>`); NaN without truth. */
  errorTruth: number;
  /** Per-pass head predictions on the test split [T][B][width], for calibration. */
  passes: number[][][];
}

/** How a round's training went: epochs run, the kept (best-validation; without validation galaxies the last) epoch and why it stopped. */
export interface RoundTraining {
  epochs: number;
  bestEpoch: number;
  bestValidation: number;
  stoppedBy: StoppedBy;
}

export type ActiveLearnEvent =
  | { type: 'regime-start'; acquisition: AcquisitionFunction; rounds: number }
  | { type: 'note'; message: string }
  | { type: 'train'; acquisition: AcquisitionFunction; round: number; epoch: number; epochs: number; loss: number; metrics: Record<string, number> }
  | { type: 'round'; acquisition: AcquisitionFunction; round: number; labels: number; scores: TestScores; seconds: number;
      training: RoundTraining; acquired: { galaxy: ActiveLearnGalaxy; score: number }[];
      /** The over-dispersion scalar fitted on the validation galaxies (null with `calibrate: 'none'`). */
      calibration: OverdispersionFit | null }
  | { type: 'regime-end'; acquisition: AcquisitionFunction;
      /** The regime's final model as plain data (architecture, weights, Adam state), for saving with saveBayesianCnn. */
      final: { config: BayesianCnnTaskOptions; weights: TrainerWeights; optimizer: OptimizerState; labels: number } };

export async function* activeLearnLoop(data: ActiveLearnData, o: LoopOptions): AsyncGenerator<ActiveLearnEvent> {
  const s = o.settings;
  const taskOptions: BayesianCnnTaskOptions = {
    schema: data.schema.def, head: s.head, target: s.head === 'binomial' ? s.answer : null,
    imageSize: s.imageSize, channels: data.imageShape[2], blocks: s.blocks, denseUnits: s.denseUnits, dropout: s.dropout,
    headBias: headBiasOf(s), seed: s.seed,
  };
  const head = resolveHead({ kind: s.head, target: taskOptions.target ?? null }, data.schema);
  const answerIndex = data.schema.answerIndex(s.answer);
  if (s.calibrate === 'validation' && data.val.length === 0) {
    throw new InputError('calibration on the validation galaxies was asked for (--calibrate validation) but there are none', {},
      'give --val-size ≥ 1 (and enough labelled galaxies for it) or pass --calibrate none');
  }
  const trainer = await createTrainer({ spec: bayesianCnnTaskSpec(taskOptions), workers: s.workers, backend: s.backend,
    optimizer: { kind: 'adam', learningRate: s.learningRate } });
  let warnedSmall = false;
  try {
    const initialWeights: TrainerWeights = await trainer.getWeights();
    const initialOptimizer: OptimizerState = await trainer.getOptimizerState();
    for (const acquisition of o.acquisitions) {
      yield { type: 'regime-start', acquisition, rounds: s.rounds };
      await trainer.setWeights(initialWeights);
      await trainer.setOptimizerState(initialOptimizer);
      const labelled = [...data.initial];
      let pool = [...data.pool];
      for (let round = 0; round <= s.rounds; round++) {
        const started = Date.now();
        if (s.retrain === 'from-scratch' && round > 0) {
          await trainer.setWeights(initialWeights);
          await trainer.setOptimizerState(initialOptimizer);
        }
        let best: { weights: TrainerWeights; score: number; epoch: number; valPasses: number[][][] } | null = null;
        let sinceBest = 0;
        let epochs = 0;
        let stoppedBy: StoppedBy = 'epochs';
        const loop = trainingLoop({
          trainer,
          epochBatches: (epoch) => trainingBatches(labelled, data.imageShape, s.batchSize, Rng.derive(s.seed, acquisition, round, epoch - 1)),
          stepsPerEpoch: Math.ceil(labelled.length / s.batchSize),
          limits: { epochs: s.epochs },
          // Without validation galaxies (an API caller's choice) every epoch runs and the last weights are kept.
          validation: data.val.length > 0 ? 'epoch' : 'none',
          label: `${acquisition} round ${round}`,
          stopAfterValidation: () => s.patience > 0 && sinceBest >= s.patience,
        });
        for await (const event of loop) {
          if (event.type === 'note' && !warnedSmall) {
            warnedSmall = true;
            yield event;
          } else if (event.type === 'validate') {
            // The same seed every epoch: scores differ only through the weights.
            const validation = await scoreGalaxies(trainer, head, data, data.val, o, answerIndex, 'val');
            const score = validation.errorVotes;
            if (best === null || score < best.score) {
              best = { weights: await trainer.getWeights(), score, epoch: Math.round(event.epoch), valPasses: validation.passes };
              sinceBest = 0;
            } else sinceBest += 1;
          } else if (event.type === 'epoch-end') {
            const { epoch, loss, metrics } = event.summary;
            epochs = epoch;
            yield { type: 'train', acquisition, round, epoch: epoch - 1, epochs: s.epochs, loss, metrics };
          } else if (event.type === 'end') stoppedBy = event.stoppedBy;
        }
        if (best !== null) await trainer.setWeights(best.weights);
        const training: RoundTraining = { epochs, bestEpoch: best?.epoch ?? epochs, bestValidation: best?.score ?? Number.NaN, stoppedBy };
        const scores = await scoreGalaxies(trainer, head, data, data.test, o, answerIndex, 'test');
        const calibration = s.calibrate === 'validation' && best !== null ? fitValidationCalibration(best.valPasses, data, s) : null;
        let acquired: { galaxy: ActiveLearnGalaxy; score: number }[] = [];
        if (round < s.rounds && pool.length > 0) {
          const passes = await predictPasses(trainer, pool, data.imageShape, s.passes, Rng.derive(s.seed, 'pool', acquisition, round).nextUint32());
          const uncertainty = poolUncertainty(head, data.schema, passes, labelled, { scope: s.baldScope, answerIndex, votes: s.votes, seed: s.seed });
          const chosen = acquire(uncertainty, Math.min(s.perRound, pool.length), { acquisition, seed: Rng.derive(s.seed, 'acquire', round).nextUint32() });
          acquired = chosen.map((i) => ({ galaxy: pool[i], score: uncertainty.mutualInformation[i] }));
          const taken = new Set(chosen);
          labelled.push(...acquired.map((a) => a.galaxy));
          pool = pool.filter((_, i) => !taken.has(i));
        }
        yield { type: 'round', acquisition, round, labels: labelled.length - acquired.length, scores, seconds: (Date.now() - started) / 1000, training, acquired, calibration };
      }
      yield { type: 'regime-end', acquisition,
        final: { config: taskOptions, weights: await trainer.getWeights(), optimizer: await trainer.getOptimizerState(), labels: labelled.length } };
    }
  } finally {
    await trainer.dispose();
  }
}

function hostBatch(galaxies: readonly ActiveLearnGalaxy[], pixels: (g: ActiveLearnGalaxy) => Float32Array, imageShape: number[]): HostBatch {
  const per = galaxies[0].pixels.length;
  const answers = galaxies[0].counts.length;
  const images = new Float32Array(galaxies.length * per);
  const counts = new Float32Array(galaxies.length * answers);
  galaxies.forEach((g, k) => {
    images.set(pixels(g), k * per);
    counts.set(g.counts, k * answers);
  });
  return { size: galaxies.length, arrays: { images, counts }, shapes: { images: imageShape, counts: [answers] } };
}

const AUGMENT = resolveAugmentOptions({ flip: true, rotate: 'right' });

/** One epoch: seeded shuffle, flips and right-angle rotations (exact, cheap). */
function trainingBatches(labelled: readonly ActiveLearnGalaxy[], shape: [number, number, number], batchSize: number, rng: Rng): HostBatch[] {
  const order = rng.shuffle([...labelled]);
  const [side, , channels] = shape;
  const batches: HostBatch[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const chunk = order.slice(start, start + batchSize);
    batches.push(hostBatch(chunk, (g) => augmentImage({ data: g.pixels, height: side, width: side, channels }, rng, AUGMENT).data, [side, side, channels]));
  }
  return batches;
}

/** T passes over galaxies through the trainer (split across its workers): [T][B][width]. */
export async function predictPasses(
  trainer: Trainer, galaxies: readonly ActiveLearnGalaxy[], shape: [number, number, number], passes: number, seed: number,
): Promise<number[][][]> {
  const out: number[][][] = Array.from({ length: passes }, () => []);
  const [side, , channels] = shape;
  for (let start = 0; start < galaxies.length; start += 128) {
    const chunk = galaxies.slice(start, start + 128);
    const batch = hostBatch(chunk, (g) => g.pixels, [side, side, channels]);
    batch.arrays.passes = passSettings(chunk.length, passes, seed);
    batch.shapes.passes = [2];
    const { shape, data } = await trainer.predict('passes', batch);
    const [B, T, W] = shape;
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t].push(Array.from(data.subarray((b * T + t) * W, (b * T + t + 1) * W)));
  }
  return out;
}

/**
 * The initial bias of the head: the option when given, else −3 for the Dirichlet head (α starts at ≈ 5.7 per
 * answer rather than ≈ 51, so briefly trained models are not over-confident; the train preset's choice, README's
 * GZ2 recipe) and 0 for the binomial head (ρ starts at ½).
 */
export function headBiasOf(s: Pick<ActiveLearnOptions, 'head' | 'headBias'>): number {
  return s.headBias ?? (s.head === 'dirichlet' ? -3 : 0);
}

/** The over-dispersion scalar of the scored answer's predictive, fitted to the validation galaxies' votes. */
function fitValidationCalibration(valPasses: number[][][], data: ActiveLearnData, s: ActiveLearnOptions): OverdispersionFit {
  const d = answerPassDistributions(valPasses, data.val.map((g) => g.counts), data.schema, s.head, s.answer);
  if (d === null) {
    throw new InputError(`none of the ${data.val.length} validation galaxies got votes for the question of ${s.answer}, so the calibration cannot be fitted`, {},
      'give more validation galaxies (--val-size) or pass --calibrate none');
  }
  return fitOverdispersion(d.distributions, d.votes, d.observed);
}

/** The scored answer's errors on a split (validation or test), from T MC-dropout passes seeded by the split's name. */
async function scoreGalaxies(
  trainer: Trainer, head: ResolvedHead, data: ActiveLearnData, galaxies: readonly ActiveLearnGalaxy[], o: LoopOptions, answerIndex: number, split: 'val' | 'test',
): Promise<TestScores> {
  const passes = await predictPasses(trainer, galaxies, data.imageShape, o.settings.passes, Rng.derive(o.settings.seed, split).nextUint32());
  const summary = summarisePasses(head, data.schema, passes, o.settings.votes);
  const column = summary.answers.findIndex((a) => a.index === answerIndex);
  const [start, end] = data.schema.questionSlices[data.schema.answers[answerIndex].questionIndex];
  const predicted = summary.fraction.map((f) => f[column]);
  const answer = data.schema.answers[answerIndex];
  // Against the volunteers: the metrics module's rule (galaxies whose question got votes), on this one answer.
  const onlyThisAnswer = Array.from({ length: end - start }, (_, k) => (start + k === answerIndex ? answer.key : null));
  const predictedRows = predicted.map((p) => Float64Array.from({ length: end }, (_, a) => (a === answerIndex ? p : Number.NaN)));
  const againstVotes = voteFractionMetrics(predictedRows, galaxies.map((g) => g.counts), [{ key: data.schema.questions[answer.questionIndex].key, start, end, answers: onlyThisAnswer }]);
  const truth = galaxies.map((g) => g.truth?.[`p_${answer.key}`] ?? Number.NaN);
  return { errorVotes: againstVotes.rmse, errorTruth: rmse(predicted, truth), passes };
}
