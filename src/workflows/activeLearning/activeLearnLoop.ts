/**
 * The active-learning loop as an async generator: rounds are events, so the CLI draws progress bars and a web UI
 * could stream the same loop. For each acquisition function (e.g. BALD, then the random baseline, from the same
 * initial labelled set, initial weights and seeds):
 *   train on the labelled set → score the test split (never acquired) → score the pool with T MC-dropout passes →
 *   acquire the top `perRound` → the oracle reveals their votes → repeat.
 * BALD uses the binomial form for a binomial head (N = `votes`) and the per-question Dirichlet-multinomial form for
 * the all-questions head (expected votes per question = the labelled set's mean vote total for that question).
 */
import { trainingLoop } from '../../train/trainingLoop.js';
import { Rng } from '../../util/rng.js';
import { augmentImage, resolveAugmentOptions } from '../../data/augment.js';
import { acquire, type AcquisitionFunction } from '../../active/acquisition.js';
import { binomialBald, dirichletMultinomialBald, type BaldResult } from '../../active/bald.js';
import { createTrainer } from '../../train/dataParallel.js';
import type { Trainer, TrainerWeights } from '../../train/localTrainer.js';
import type { OptimizerState } from '../../models/optimizerState.js';
import type { HostBatch } from '../../data/hostBatch.js';
import { bayesianCnnTaskSpec, passSettings, type BayesianCnnTaskOptions } from '../../models/bayesianCnnTask.js';
import { resolveHead, type ResolvedHead } from '../../models/bayesianCnnHead.js';
import { summarisePasses } from '../predict/predictSummary.js';
import { rmse } from '../../util/stats.js';
import { voteFractionMetrics } from '../../train/metrics/voteFractionMetrics.js';
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

export type ActiveLearnEvent =
  | { type: 'regime-start'; acquisition: AcquisitionFunction; rounds: number }
  | { type: 'note'; message: string }
  | { type: 'train'; acquisition: AcquisitionFunction; round: number; epoch: number; epochs: number; loss: number; metrics: Record<string, number> }
  | { type: 'round'; acquisition: AcquisitionFunction; round: number; labels: number; scores: TestScores; seconds: number;
      acquired: { galaxy: ActiveLearnGalaxy; score: number }[] }
  | { type: 'regime-end'; acquisition: AcquisitionFunction;
      /** The regime's final model as plain data (architecture, weights, Adam state), for saving with saveBayesianCnn. */
      final: { config: BayesianCnnTaskOptions; weights: TrainerWeights; optimizer: OptimizerState; labels: number } };

export async function* activeLearnLoop(data: ActiveLearnData, o: LoopOptions): AsyncGenerator<ActiveLearnEvent> {
  const s = o.settings;
  const taskOptions: BayesianCnnTaskOptions = {
    schema: data.schema.def, head: s.head, target: s.head === 'binomial' ? s.answer : null,
    imageSize: s.imageSize, channels: data.imageShape[2], blocks: s.blocks, denseUnits: s.denseUnits, dropout: s.dropout, seed: s.seed,
  };
  const head = resolveHead({ kind: s.head, target: taskOptions.target ?? null }, data.schema);
  const answerIndex = data.schema.answerIndex(s.answer);
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
        const loop = trainingLoop({
          trainer,
          epochBatches: (epoch) => trainingBatches(labelled, data.imageShape, s.batchSize, Rng.derive(s.seed, acquisition, round, epoch - 1)),
          stepsPerEpoch: Math.ceil(labelled.length / s.batchSize),
          limits: { epochs: s.epochs },
          validation: 'none',
          label: `${acquisition} round ${round}`,
        });
        for await (const event of loop) {
          if (event.type === 'note' && !warnedSmall) {
            warnedSmall = true;
            yield event;
          } else if (event.type === 'epoch-end') {
            const { epoch, loss, metrics } = event.summary;
            yield { type: 'train', acquisition, round, epoch: epoch - 1, epochs: s.epochs, loss, metrics };
          }
        }
        const scores = await scoreTest(trainer, head, data, o, answerIndex);
        let acquired: { galaxy: ActiveLearnGalaxy; score: number }[] = [];
        if (round < s.rounds && pool.length > 0) {
          const passes = await predictPasses(trainer, pool, data.imageShape, s.passes, Rng.derive(s.seed, 'pool', acquisition, round).nextUint32());
          const uncertainty = baldScores(head, passes, labelled, s.votes, s.seed);
          const chosen = acquire(uncertainty, Math.min(s.perRound, pool.length), { acquisition, seed: Rng.derive(s.seed, 'acquire', round).nextUint32() });
          acquired = chosen.map((i) => ({ galaxy: pool[i], score: uncertainty.mutualInformation[i] }));
          const taken = new Set(chosen);
          labelled.push(...acquired.map((a) => a.galaxy));
          pool = pool.filter((_, i) => !taken.has(i));
        }
        yield { type: 'round', acquisition, round, labels: labelled.length - acquired.length, scores, seconds: (Date.now() - started) / 1000, acquired };
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

function baldScores(head: ResolvedHead, passes: number[][][], labelled: readonly ActiveLearnGalaxy[], votes: number, seed: number): BaldResult {
  if (head.kind === 'binomial') return binomialBald(passes.map((p) => p.map((g) => g[0])), { votes });
  const expectedVotes = head.questions.map(([s, e]) => {
    let total = 0;
    for (const g of labelled) for (let a = s; a < e; a++) total += g.counts[a];
    return Math.round(total / labelled.length);
  });
  return dirichletMultinomialBald(passes, head.questions, { expectedVotes, samplesPerPass: 40, maxEnumerated: 20_000, seed });
}

async function scoreTest(trainer: Trainer, head: ResolvedHead, data: ActiveLearnData, o: LoopOptions, answerIndex: number): Promise<TestScores> {
  const passes = await predictPasses(trainer, data.test, data.imageShape, o.settings.passes, Rng.derive(o.settings.seed, 'test').nextUint32());
  const summary = summarisePasses(head, data.schema, passes, o.settings.votes);
  const column = summary.answers.findIndex((a) => a.index === answerIndex);
  const [start, end] = data.schema.questionSlices[data.schema.answers[answerIndex].questionIndex];
  const predicted = summary.fraction.map((f) => f[column]);
  const answer = data.schema.answers[answerIndex];
  // Against the volunteers: the metrics module's rule (galaxies whose question got votes), on this one answer.
  const onlyThisAnswer = Array.from({ length: end - start }, (_, k) => (start + k === answerIndex ? answer.key : null));
  const predictedRows = predicted.map((p) => Float64Array.from({ length: end }, (_, a) => (a === answerIndex ? p : Number.NaN)));
  const againstVotes = voteFractionMetrics(predictedRows, data.test.map((g) => g.counts), [{ key: data.schema.questions[answer.questionIndex].key, start, end, answers: onlyThisAnswer }]);
  const truth = data.test.map((g) => g.truth?.[`p_${answer.key}`] ?? Number.NaN);
  return { errorVotes: againstVotes.rmse, errorTruth: rmse(predicted, truth), passes };
}
