/**
 * One fine-tuning run: a model trained on one run's training galaxies through the project's training loop
 * (workflows/train/trainBayesianCnnLoop.ts: trainers, per-epoch validation, best model saved), then scored on the
 * test galaxies with MC-dropout passes.
 * - 'finetuned': stage 1 trains the new head on the frozen pretrained encoder (Adam at `lr1`), early stopping on the
 *   validation loss; stage 2 starts from stage 1's best model, unfreezes the top `unfreeze` encoder groups (the dense
 *   layer, then convolution blocks from the top) and trains them with the head at the lower `lr2`, keeping a model
 *   only when it beats stage 1's best validation loss.
 * - 'scratch': the same network, randomly initialised, every weight trained at `lr1` for the two stages' epochs
 *   together, with the same early stopping: the baseline.
 */
import { join } from 'node:path';
import { createTrainer } from '../../train/dataParallel.js';
import { ImageDataset } from '../../data/dataset.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { Catalog, CatalogRow } from '../../data/catalog.js';
import type { BayesianCnnConfig } from '../../models/bayesianCnn.js';
import { buildBayesianCnn, bayesianCnnTaskSpec, type BayesianCnnTaskOptions } from '../../models/bayesianCnnTask.js';
import { BAYESIAN_CNN_ROOT, encoderGroups } from '../../models/bayesianCnnTransfer.js';
import { loadBayesianCnn } from '../../models/bayesianCnnCheckpoint.js';
import { argmax, classificationMetrics, type ClassificationMetrics } from '../../train/metrics/classificationMetrics.js';
import { trainLoop, type ResumeState, type TrainEvent } from '../train/trainBayesianCnnLoop.js';
import { evaluateBayesianCnn } from '../train/trainBayesianCnnEvaluate.js';
import type { LabelledRow } from './finetuneData.js';

export const FINETUNE_METHODS = ['finetuned', 'scratch'] as const;
export type FinetuneMethod = (typeof FINETUNE_METHODS)[number];

export interface RunSettings {
  /** The new model's config (fine-tuned head on the pretrained encoder's architecture). */
  config: BayesianCnnConfig;
  /** Folder of the pretrained model the encoder comes from. */
  pretrained: string;
  preprocessing: PreprocessOptions;
  unfreeze: number;
  epochs1: number;
  epochs2: number;
  patience: number;
  lr1: number;
  lr2: number;
  batchSize: number;
  augment: boolean;
  passes: number;
  workers: number;
  backend: string;
  onBad: 'error' | 'skip';
}

export interface StageSummary {
  stage: 'head' | 'unfrozen' | 'scratch';
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  /** Whether early stopping ended it. */
  earlyStopped: boolean;
}

export interface RunResult {
  method: FinetuneMethod;
  labels: number;
  seed: number;
  train: number;
  val: number;
  stages: StageSummary[];
  /** Best validation loss over the stages (mean NLL of the true class, one dropout mask). */
  valLoss: number;
  test: ClassificationMetrics;
  seconds: number;
  model: string;
  badImages: { id: string; reason: string }[];
}

export interface RunInput {
  method: FinetuneMethod;
  labels: number;
  seed: number;
  split: { train: LabelledRow[]; val: LabelledRow[] };
  test: ImageDataset<CatalogRow>;
  catalog: Catalog;
  settings: RunSettings;
  /** Folder of this run (its best model goes to `dir/model`). */
  dir: string;
  /** Called on the training loop's events (progress, notes). */
  onEvent: (event: TrainEvent) => void;
}

export async function runFinetune(input: RunInput): Promise<RunResult> {
  const started = Date.now();
  const { settings: s, method, seed } = input;
  const common = { preprocess: s.preprocessing, labels: { counts: (r: CatalogRow) => r.counts }, batchSize: s.batchSize, onBad: s.onBad, seed };
  const datasets = {
    train: new ImageDataset<CatalogRow>(input.split.train, { ...common, augment: s.augment ? { flip: true, rotate: 'any' } : null, shuffle: true }),
    val: new ImageDataset<CatalogRow>(input.split.val, { ...common, augment: null, shuffle: false }),
    test: input.test,
  };
  await datasets.train.prepare();
  await datasets.val.prepare();
  const modelDir = join(input.dir, 'model');
  const config: BayesianCnnConfig = { ...s.config, seed };
  const groups = encoderGroups(config);
  const stages: StageSummary[] = [];
  let best: ResumeState = { epoch: 0, bestEpoch: 0, bestValLoss: Number.POSITIVE_INFINITY, history: [] };
  const stage = async (name: StageSummary['stage'], task: BayesianCnnTaskOptions, lr: number, epochs: number) => {
    const trainer = await createTrainer({ spec: bayesianCnnTaskSpec(task), workers: s.workers, backend: s.backend, optimizer: { kind: 'adam', learningRate: lr } });
    const model = buildBayesianCnn(task);
    let earlyStopped = false;
    const before = best.bestValLoss;
    let last: ResumeState = { ...best, epoch: 0, bestEpoch: 0 };
    try {
      for await (const event of trainLoop({
        trainer, model, data: { datasets, catalog: input.catalog }, preprocessing: s.preprocessing, epochs, maxSeconds: null,
        resume: { epoch: 0, bestEpoch: 0, bestValLoss: best.bestValLoss, history: [] }, dirs: { model: modelDir, last: null }, seed,
        patience: s.patience, source: `galmorph finetune (${method}, stage ${name})`,
      })) {
        if (event.type === 'note' && event.message.startsWith('early stopping')) earlyStopped = true;
        if (event.type === 'epoch-end') {
          const r = event.record;
          last = { epoch: r.epoch, history: [], bestEpoch: r.best ? r.epoch : last.bestEpoch, bestValLoss: r.best ? r.valLoss : last.bestValLoss };
        }
        input.onEvent(event);
      }
    } finally {
      await trainer.dispose();
      model.dispose();
    }
    stages.push({ stage: name, epochs: last.epoch, bestEpoch: last.bestEpoch, bestValLoss: last.bestValLoss < before ? last.bestValLoss : Number.NaN, earlyStopped });
    best = last;
  };
  if (method === 'finetuned') {
    await stage('head', { ...config, transfer: { from: input.settings.pretrained, copy: groups, frozen: groups } }, s.lr1, s.epochs1);
    if (s.epochs2 > 0 && s.unfreeze > 0 && best.bestEpoch > 0) {
      await stage('unfrozen', { ...config, transfer: { from: modelDir, copy: [BAYESIAN_CNN_ROOT], frozen: groups.slice(s.unfreeze) } }, s.lr2, s.epochs2);
    }
  } else {
    await stage('scratch', config, s.lr1, s.epochs1 + s.epochs2);
  }
  if (best.bestValLoss === Number.POSITIVE_INFINITY) throw new Error(`finetune ${method} n=${input.labels} seed ${seed}: no epoch gave a finite validation loss`);
  const trained = loadBayesianCnn(modelDir);
  try {
    const evaluation = await evaluateBayesianCnn(trained.model, datasets.test, { passes: s.passes, seed, views: 1 });
    const probabilities = evaluation.ids.map((_, b) => {
      const mean = new Float64Array(config.schema.questions[0].answers.length);
      for (const pass of evaluation.passes) pass[b].forEach((p, k) => (mean[k] += p / evaluation.passes.length));
      return mean;
    });
    const labels = evaluation.counts.map((c) => argmax(c));
    return {
      method, labels: input.labels, seed, train: input.split.train.length, val: input.split.val.length, stages, valLoss: best.bestValLoss,
      test: classificationMetrics(probabilities, labels), seconds: (Date.now() - started) / 1000, model: modelDir,
      badImages: [...datasets.train.badImages, ...datasets.val.badImages].map((b) => ({ id: b.id, reason: b.reason })),
    };
  } finally {
    trained.model.dispose();
  }
}
