/**
 * Training one AstroVaDEr model of `galmorph cluster` on the s3VDC schedule, through the project's one training loop
 * (train/trainingLoop.ts) and trainers (this thread or data-parallel workers):
 *   1. γ-training warm-up epochs (Rec + γ·KL to N(0, I));
 *   2. mini-batch GMM initialisation: the embedded means μ̃ of `gmmBatches` batches (no augmentation), k-means then
 *      a diagonal GMM (src/cluster; the best log-likelihood of `gmmRestarts` seeded fits) → π, μ_k, σ²_k written into the prior; with `chooseK`, first a Dirichlet-process
 *      Bayesian GMM over mini-batches of the embeddings picks K (the model is rebuilt with that K, keeping the
 *      encoder, decoder and their Adam moments);
 *   3. periods of annealing (cubic ramp) and static epochs.
 * The objective of each step is a function of the optimiser step (models/vadeSchedule.ts), so a resumed run and every
 * worker agree. After every epoch `last/` holds the weights, Adam state and the training state (`--resume` continues
 * from it, also from inside an epoch after Ctrl-C); at the end `model/` holds the trained model. A non-finite loss
 * stops the run (the loop's guard), naming the epoch and step.
 */
import { committedFolder, mendFolder } from '../../util/atomicFolder.js';
import { InputError } from '../../util/errors.js';
import { InterruptedError, interruptRequested, stoppableWhile, type EpochProgress } from '../../util/interrupt.js';
import { resumeCommandLine } from '../../util/commandLine.js';
import { ProgressBar } from '../../util/progress.js';
import type { RunFolder } from '../../util/runFolder.js';
import { ImageDataset } from '../../data/dataset.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import { createTrainer } from '../../train/dataParallel.js';
import { trainingLoop } from '../../train/trainingLoop.js';
import { applyTrainerWeights } from '../../train/applyTrainerWeights.js';
import { readVariables, type Trainer } from '../../train/localTrainer.js';
import type { OptimizerState } from '../../models/optimizerState.js';
import { mixtureToPriorArrays, PRIOR_ARRAYS, Vade, type VadeConfig } from '../../models/vade.js';
import { loadVade, saveVade } from '../../models/vadeCheckpoint.js';
import { vadeTaskSpec } from '../../models/vadeTask.js';
import type { VadeSchedule } from '../../models/vadeSchedule.js';
import { chooseClusterCount, fitInitialMixture, type ClusterCountChoice } from './clusterMixture.js';
import { embedDataset } from './clusterEmbed.js';
import type { ClusterGalaxy } from './clusterData.js';
import type { ClusterOptions } from './clusterOptions.js';

export interface EpochRecord {
  epoch: number;
  /** Optimiser steps by the end of the epoch. */
  step: number;
  phase: 'warmup' | 'periods';
  galaxies: number;
  loss: number;
  reconstruction: number;
  /** Per-image sum of squared errors of the reconstructed images in [0, 1] (comparable across reconstruction kinds). */
  squaredError: number;
  latent: number;
  /** Mean latent weight (γ, β or 1) over the epoch's steps. */
  weight: number;
  seconds: number;
}

/** What `last/` carries in `extra` to resume. */
interface TrainState {
  epoch: number;
  history: EpochRecord[];
  /** Whether the GMM prior has been initialised from the embeddings. */
  initialised: boolean;
  chooseK: ClusterCountChoice | null;
  within?: EpochProgress;
}

export interface TrainedVade {
  model: Vade;
  history: EpochRecord[];
  chooseK: ClusterCountChoice | null;
  steps: number;
  trainSeconds: number;
}

export interface TrainVadeInput {
  run: RunFolder;
  /** Folder of this model's checkpoints (model/, last/), e.g. RUN/seed-0. */
  dir: string;
  label: string;
  galaxies: ClusterGalaxy[];
  /** The galaxies without augmentation, in a fixed order (the GMM initialisation embeds its first batches). */
  evaluation: ImageDataset<ClusterGalaxy>;
  preprocessing: PreprocessOptions;
  options: ClusterOptions;
  seed: number;
}

export async function trainVade(input: TrainVadeInput): Promise<TrainedVade> {
  const { run, options: o } = input;
  const dirs = { last: `${input.dir}/last`, model: `${input.dir}/model` };
  // A view of the evaluation dataset: in memory mode both serve the images decoded once (8,000 GZ2 JPEGs were
  // decoded twice before, once per dataset); streaming decodes on first use (batches()).
  const train = input.evaluation.withBatching({
    augment: o.flip ? { flip: true, rotate: 'none' } : null, batchSize: o.batchSize, shuffle: true,
    seed: input.seed, dropLast: input.galaxies.length > o.batchSize, prefetch: 0,
  });
  const spe = train.batchesPerEpoch;
  const schedule: VadeSchedule = { warmupSteps: o.warmupEpochs * spe, annealSteps: o.annealEpochs * spe, staticSteps: o.staticEpochs * spe, klWeight: o.klWeight };
  const totalEpochs = o.warmupEpochs + o.periods * (o.annealEpochs + o.staticEpochs);
  const optimizer = { kind: 'adam' as const, learningRate: o.learningRate, clipValue: o.clipValue, decaySteps: Math.max(1, totalEpochs * spe) };
  let config: Partial<VadeConfig> = {
    imageSize: o.imageSize, channels: 1, filters: o.filters, kernels: o.kernels, latentDim: o.latentDim, clusters: o.k,
    responsibilityScale: o.lambda, varianceFloor: o.varianceFloor, reconstruction: o.reconstruction, noiseFloor: o.noiseFloor, frontEnd: o.frontEnd, seed: input.seed,
  };
  let state: TrainState = { epoch: 0, history: [], initialised: false, chooseK: null };
  let resumed: { weights: Float32Array[]; optimizer: OptimizerState } | null = null;
  if (o.resume) {
    for (const note of [...mendFolder(dirs.last), ...mendFolder(dirs.model)]) run.log(note);
  }
  if (committedFolder(dirs.last, 'model.json') !== null) {
    if (!o.resume) throw new InputError('this run folder already holds a model in training', { file: input.dir }, 'pass --resume to continue it, or choose another --out');
    const loaded = loadVade(dirs.last);
    config = loaded.model.config;
    state = loaded.meta.extra as unknown as TrainState;
    if (loaded.optimizer === null) throw new InputError('the checkpoint has no optimiser state to resume from', { file: dirs.last }, 'start a new run (another --out)');
    resumed = { weights: readVariables(loaded.model.params.trainable), optimizer: loaded.optimizer };
    loaded.model.dispose();
    run.log(`${input.label}: resuming from ${dirs.last} after epoch ${state.epoch} (step ${resumed.optimizer.step})`);
  }
  let local = new Vade(config);
  let trainer = await createTrainer({ spec: vadeTaskSpec({ model: local.config, schedule }), workers: o.workers, backend: o.backend, optimizer });
  const started = performance.now();
  let trainMs = 0;
  try {
    if (resumed !== null) {
      await trainer.setWeights({ trainable: resumed.weights, state: [] });
      await trainer.setOptimizerState(resumed.optimizer);
    }
    const bar = o.progress ? new ProgressBar({ label: `${input.label} train`, total: Math.max(1, (totalEpochs - state.epoch) * spe), unit: 'steps' }) : null;
    const save = async (extra: TrainState) => {
      applyTrainerWeights(local, await trainer.getWeights());
      const opt = await trainer.getOptimizerState();
      saveVade(dirs.last, local, { preprocessing: input.preprocessing, step: opt.step, optimizer: opt, extra: extra as unknown as Record<string, unknown> });
      return opt.step;
    };
    const phase = async (name: EpochRecord['phase'], lastEpoch: number) => {
      if (state.epoch >= lastEpoch) return;
      let epochStarted = performance.now();
      const loop = trainingLoop({
        trainer, epochBatches: (epoch) => train.batches(epoch), stepsPerEpoch: spe, limits: { epochs: lastEpoch }, validation: 'none',
        firstEpoch: state.epoch + 1, resumeWithin: state.within ?? null, label: `cluster ${input.label}`,
      });
      try {
        for await (const event of loop) {
          if (event.type === 'epoch-start') epochStarted = performance.now();
          else if (event.type === 'step') bar?.tick(1, `${name} loss ${event.loss.toFixed(1)}`);
          else if (event.type === 'note') run.log(event.message);
          else if (event.type === 'epoch-end') {
            const s = event.summary;
            const record: EpochRecord = {
              epoch: s.epoch, step: 0, phase: name, galaxies: s.galaxies, loss: s.loss, reconstruction: s.metrics.reconstruction,
              squaredError: s.metrics.squaredError, latent: s.metrics.latent, weight: s.metrics.weight, seconds: (performance.now() - epochStarted) / 1000,
            };
            const { within: _done, ...rest } = state;
            state = { ...rest, epoch: s.epoch, history: [...state.history, record] };
            record.step = await save(state);
            run.log(`${input.label} epoch ${s.epoch}/${totalEpochs} (${name}): loss ${s.loss.toFixed(2)}, reconstruction ${record.reconstruction.toFixed(2)} (squared error ${record.squaredError.toFixed(2)}), ` +
              `latent ${record.latent.toFixed(2)} × ${record.weight.toFixed(4)} (${record.seconds.toFixed(1)} s)`, { echo: !o.progress });
          } else if (event.type === 'end') trainMs += event.trainSeconds * 1000;
        }
      } catch (e) {
        if (!(e instanceof InterruptedError)) throw e;
        bar?.finish('interrupted');
        throw await interrupted(e, { run, state, save, last: dirs.last, label: input.label });
      }
    };
    await stoppableWhile(async () => {
      await phase('warmup', o.warmupEpochs);
      if (!state.initialised) {
        applyTrainerWeights(local, await trainer.getWeights());
        const embedded = await embedDataset(local, input.evaluation, { batches: o.gmmBatches });
        if (o.chooseK) {
          const choice = chooseClusterCount(embedded.means, { maxComponents: o.k, threshold: o.kThreshold, batches: o.kBatches, batchSize: o.kBatchSize, seed: input.seed });
          state = { ...state, chooseK: choice };
          run.log(`${input.label}: the Bayesian GMM used ${choice.mode} components most often (${choice.distribution.map((d) => `${d.count}: ${d.fits} fits`).join(', ')}; ` +
            `modes per seed ${choice.perSeed.map((p) => p.mode).join('/')}, ${choice.stable ? 'stable' : 'not stable'} over seeds)`);
          if (choice.mode !== local.config.clusters) {
            const rebuilt = await rebuildWithClusters(trainer, local, choice.mode, schedule, o, optimizer);
            trainer = rebuilt.trainer;
            local = rebuilt.local;
          }
        }
        const { mixture, restartLogLikelihoods: lls } = fitInitialMixture(embedded.means, local.config.clusters, input.seed, local.config.varianceFloor, o.gmmRestarts);
        const weights = await trainer.getWeights();
        const prior = mixtureToPriorArrays(mixture, local.config.varianceFloor);
        const n = weights.trainable.length;
        prior.forEach((values, i) => (weights.trainable[n - PRIOR_ARRAYS.length + i] = values));
        await trainer.setWeights(weights);
        state = { ...state, initialised: true };
        await save(state);
        run.log(`${input.label}: GMM prior initialised from ${embedded.means.length} embedded galaxies (k-means, then a diagonal GMM` +
          (lls.length > 1 ? `; best of ${lls.length} fits, mean log-likelihood per galaxy ${lls.map((l) => l.toFixed(3)).join(' ')}` : `; mean log-likelihood per galaxy ${lls[0].toFixed(3)}`) +
          `): π = ${Array.from(mixture.weights, (w) => w.toFixed(3)).join(' ')}`);
      }
      await phase('periods', totalEpochs);
      const signal = interruptRequested();
      if (signal !== null) throw new InterruptedError(signal, null, `cluster ${input.label}`, 0, `interrupted by ${signal} after training ${input.label}; resume with ${resumeCommandLine() ?? 'resume: true'} to analyse`);
    });
    bar?.finish();
    applyTrainerWeights(local, await trainer.getWeights());
    const step = (await trainer.getOptimizerState()).step;
    saveVade(dirs.model, local, { preprocessing: input.preprocessing, step, optimizer: null, extra: { source: 'galmorph cluster', epochs: state.epoch } });
    run.log(`${input.label}: trained ${state.epoch} epochs, ${step} steps in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return { model: local, history: state.history, chooseK: state.chooseK, steps: step, trainSeconds: trainMs / 1000 };
  } catch (e) {
    local.dispose();
    throw e;
  } finally {
    await trainer.dispose();
  }
}

/**
 * A trainer and model with `k` mixture components, carrying over the encoder and decoder weights and their Adam
 * moments (the prior's arrays, the last three, start fresh: the GMM initialisation writes them next).
 */
async function rebuildWithClusters(
  trainer: Trainer, local: Vade, k: number, schedule: VadeSchedule, o: ClusterOptions, optimizer: Parameters<typeof createTrainer>[0]['optimizer'],
): Promise<{ trainer: Trainer; local: Vade }> {
  const weights = await trainer.getWeights();
  const state = await trainer.getOptimizerState();
  const rebuilt = new Vade({ ...local.config, clusters: k });
  const next = await createTrainer({ spec: vadeTaskSpec({ model: rebuilt.config, schedule }), workers: o.workers, backend: o.backend, optimizer });
  const keep = weights.trainable.length - PRIOR_ARRAYS.length;
  const fresh = readVariables(rebuilt.params.trainable).slice(keep);
  const zeros = fresh.map((a) => new Float32Array(a.length));
  await next.setWeights({ trainable: [...weights.trainable.slice(0, keep), ...fresh], state: [] });
  await next.setOptimizerState({ ...state, m: [...state.m.slice(0, keep), ...zeros], v: [...state.v.slice(0, keep), ...zeros.map((z) => z.slice())], average: undefined });
  await trainer.dispose();
  local.dispose();
  return { trainer: next, local: rebuilt };
}

/** After an interruption inside an epoch: saves last/ with the position in the epoch and returns the error to throw. */
async function interrupted(
  e: InterruptedError,
  c: { run: RunFolder; state: TrainState; save: (s: TrainState) => Promise<number>; last: string; label: string },
): Promise<InterruptedError> {
  const within = e.progress;
  let where: string;
  if (within !== null && within.batches > 0) {
    const step = await c.save({ ...c.state, within });
    where = `epoch ${within.epoch}, batch ${within.batches}, step ${step}; checkpoint with the position in the epoch saved to ${c.last}`;
  } else where = `after epoch ${c.state.epoch}; its checkpoint is in ${c.last}`;
  const message = `interrupted ${c.label} (by ${e.signal}) at ${where}; resume with ${resumeCommandLine() ?? 'the same options and resume: true'}`;
  c.run.log(message, { echo: false });
  return new InterruptedError(e.signal, within, e.label, e.loopSteps, message);
}
