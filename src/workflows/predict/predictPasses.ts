/**
 * T MC-dropout passes of one or several Bayesian CNNs over catalog rows, in this thread. Several models form an
 * equal-weight ensemble: each contributes T passes, and the passes are pooled, so the mixture over all passes
 * weights every model equally. Members must share schema, head and preprocessing (checked, naming the folders).
 * Pass t of model m uses the dropout seed predictPassSeed(seed, m) + t, so runs are reproducible, and with `views` > 1
 * the dihedral view t mod `views` of each image (test-time augmentation).
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../util/errors.js';
import { ProgressBar } from '../../util/progress.js';
import { yieldToEventLoop } from '../../util/interrupt.js';
import { ImageDataset, type BadImagePolicy, type ImageRow } from '../../data/dataset.js';
import type { BadImage } from '../../data/decodeWorkerProtocol.js';
import type { PreprocessOptions } from '../../data/preprocess.js';
import type { BayesianCnn } from '../../models/bayesianCnn.js';
import { predictPassSeed } from './predictSeed.js';

export interface EnsembleMember {
  model: BayesianCnn;
  preprocessing: PreprocessOptions;
  /** Where it was loaded from (for messages). */
  source: string;
}

export interface PassOutputs {
  ids: string[];
  /** [T × members][B][width] head predictions. */
  passes: number[][][];
  /** Images left out as unreadable (onBad 'skip'). */
  badImages: BadImage[];
}

export function checkEnsemble(members: readonly EnsembleMember[]): void {
  if (members.length === 0) throw new InputError('no model given', {}, 'pass at least one --model folder');
  const [first] = members;
  for (const m of members.slice(1)) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (!same(m.model.config.schema, first.model.config.schema) || m.model.config.head !== first.model.config.head || m.model.config.target !== first.model.config.target) {
      throw new InputError(`models ${first.source} and ${m.source} predict different things (schema or head differ)`, {}, 'an ensemble needs models trained for the same schema and head');
    }
    if (!same(m.preprocessing, first.preprocessing)) {
      throw new InputError(`models ${first.source} and ${m.source} were trained with different image preprocessing`, {}, 'ensemble models trained on the same image size, crop and colour');
    }
  }
}

export async function predictPasses(
  members: readonly EnsembleMember[],
  rows: readonly ImageRow[],
  options: { passes: number; views: number; seed: number; batchSize: number; progress: boolean; onBad?: BadImagePolicy; prefetch?: number },
): Promise<PassOutputs> {
  checkEnsemble(members);
  // prefetch > 0 (the streaming predict): batches are decoded that many ahead in a worker thread while this one infers.
  const prefetch = options.prefetch ?? 0;
  const dataset = new ImageDataset(rows, {
    preprocess: members[0].preprocessing, shuffle: false, batchSize: options.batchSize, prefetch, onBad: options.onBad ?? 'error', ...(prefetch > 0 ? { cache: 'stream' as const } : {}),
  });
  const passes: number[][][] = Array.from({ length: options.passes * members.length }, () => []);
  const ids: string[] = [];
  const bar = options.progress ? new ProgressBar({ label: 'predict', total: rows.length, unit: 'galaxies' }) : null;
  for await (const batch of dataset.batches(0)) {
    const { size } = batch;
    const [h, w, c] = batch.shapes.images;
    members.forEach((member, m) => {
      const seed = predictPassSeed(options.seed, m);
      const out = tf.tidy(() => member.model.passes(tf.tensor4d(batch.arrays.images, [size, h, w, c]), options.passes, seed, options.views));
      const values = out.arraySync();
      out.dispose();
      for (let b = 0; b < size; b++) for (let t = 0; t < options.passes; t++) passes[m * options.passes + t].push(values[b][t]);
    });
    ids.push(...batch.ids);
    bar?.tick(size);
    // Let timers run between batches (a prefetched batch arrives without a turn of the event loop): a queue worker
    // renews its job's lock on a timer, and a lock not renewed makes BullMQ hand the job to another worker.
    await yieldToEventLoop();
  }
  bar?.finish();
  return { ids, passes, badImages: dataset.badImages };
}
