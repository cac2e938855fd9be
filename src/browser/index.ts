/**
 * galmorph in a browser: the entry bundled into dist/browser/galmorph.js (`npm run build:browser`, esbuild). It loads
 * a Bayesian CNN folder (e.g. the shipped `pretrained/gz2/`) from a URL with the same checks as Node, preprocesses
 * browser pixels with the model's saved preprocessing, and predicts vote fractions with MC-dropout passes through the
 * model's own code (BayesianCnn.passes, then the prediction summary of `galmorph predict`). With the same seed and
 * batch size, the fractions equal `galmorph predict`'s for the same pixels (test/browser/browserModel.test.ts).
 *
 *   import { initBrowserBackend, loadModel } from './galmorph.js';
 *   await initBrowserBackend({ backend: 'wasm', wasmPaths: '/wasm/' });
 *   const gz2 = await loadModel('/models/gz2/');          // model.json + weights.bin, checked
 *   const { fraction, answers } = await gz2.predict([document.querySelector('img')]);
 */
import * as tf from '@tensorflow/tfjs';
import { fetchBayesianCnn } from '../models/bayesianCnnRestore.js';
import type { FetchCheckpointOptions } from '../models/checkpointFetch.js';
import type { BayesianCnn } from '../models/bayesianCnn.js';
import type { CheckpointMeta } from '../models/checkpointFormat.js';
import type { ImageArray, PreprocessOptions } from '../data/preprocess.js';
import { NOMINAL_VOLUNTEERS } from '../data/schema.js';
import { DIHEDRAL_VIEWS } from '../nn/dihedralView.js';
import { check, resolveOptions, type Spec } from '../util/options.js';
import { OptionError } from '../util/errors.js';
import { summarisePasses } from '../workflows/predict/predictSummary.js';
import { predictPassSeed } from '../workflows/predict/predictSeed.js';
import { preprocessPixels, type PixelSource } from './pixels.js';

export { initBrowserBackend, BROWSER_BACKENDS, type BrowserBackend, type BrowserBackendOptions, type BrowserBackendDescription } from './backend.js';
export { preprocessPixels, planarFromRgba, rgbaPixels, type PixelSource, type RgbaPixels } from './pixels.js';
export { fetchCheckpoint, sha256Hex } from '../models/checkpointFetch.js';
export { fetchBayesianCnn } from '../models/bayesianCnnRestore.js';
export { InputError, OptionError } from '../util/errors.js';
export { tf };

export interface BrowserPredictOptions {
  /** MC-dropout passes per galaxy. @default 15 (as `galmorph predict`) */
  passes: number;
  /** Seed of the dropout masks (as `galmorph predict --seed`). @default 0 */
  seed: number;
  /** Test-time augmentation: pass t sees the dihedral view t mod `views` (8 = predict's --tta). @default 1 */
  views: number;
  /** Galaxies per forward batch; the masks depend on it, so keep predict's to reproduce its numbers. @default 64 */
  batchSize: number;
  /** Nominal volunteers N for the expected votes. @default 40 */
  votes: number;
}

export const BROWSER_PREDICT_DEFAULTS: BrowserPredictOptions = { passes: 15, seed: 0, views: 1, batchSize: 64, votes: NOMINAL_VOLUNTEERS };

const PREDICT_SPEC: Spec<BrowserPredictOptions> = {
  passes: check.integer(1, 1000),
  seed: check.integer(0, 2 ** 32 - 1),
  views: check.integer(1, DIHEDRAL_VIEWS),
  batchSize: check.integer(1, 4096),
  votes: check.integer(1, 100_000),
};

/** Per galaxy, per answer (`answers`) and per question (`questions`), as plain arrays. */
export interface BrowserPrediction {
  answers: string[];
  questions: string[];
  /** Mean vote fraction over the passes. */
  fraction: number[][];
  /** 90% interval of the vote fraction. */
  lower: number[][];
  upper: number[][];
  expectedVotes: number[][];
  probabilityAsked: number[][];
  /** The head's raw predictions [T][B][width] (Dirichlet: concentrations α). */
  passes: number[][][];
}

export interface BrowserModel {
  model: BayesianCnn;
  /** The preprocessing the model was trained with (resolved). */
  preprocessing: PreprocessOptions;
  meta: CheckpointMeta;
  /** One image as the model's input. */
  preprocess(source: PixelSource, name?: string): ImageArray;
  /** Vote fractions for images (browser pixels, or inputs already preprocessed). */
  predict(images: readonly (PixelSource | ImageArray)[], options?: Partial<BrowserPredictOptions>): Promise<BrowserPrediction>;
  dispose(): void;
}

/** Loads the model folder at `url` (model.json + weights.bin, checked as in Node). */
export async function loadModel(url: string | URL, options: Omit<FetchCheckpointOptions, 'expectedKind'> = {}): Promise<BrowserModel> {
  const { model, preprocessing, meta } = await fetchBayesianCnn(url, options);
  const toInput = (source: PixelSource | ImageArray, k: number): ImageArray =>
    isImageArray(source) ? source : preprocessPixels(source, preprocessing, `image ${k + 1}`);
  return {
    model,
    preprocessing,
    meta,
    preprocess: (source, name) => preprocessPixels(source, preprocessing, name),
    predict: async (images, given = {}) => predictImages(model, images.map(toInput), resolveOptions(BROWSER_PREDICT_DEFAULTS, PREDICT_SPEC, given)),
    dispose: () => model.dispose(),
  };
}

function isImageArray(x: PixelSource | ImageArray): x is ImageArray {
  return (x as Partial<ImageArray>).data instanceof Float32Array && typeof (x as Partial<ImageArray>).channels === 'number';
}

/** T passes per batch through BayesianCnn.passes (dropout seeds as `galmorph predict`), then predict's summary. */
async function predictImages(model: BayesianCnn, inputs: ImageArray[], options: BrowserPredictOptions): Promise<BrowserPrediction> {
  const { imageSize, channels } = model.config;
  inputs.forEach((image, k) => {
    if (image.height !== imageSize || image.width !== imageSize || image.channels !== channels) {
      throw new OptionError(`images[${k}]`, `${imageSize}×${imageSize}×${channels} (the model's input)`, `${image.height}×${image.width}×${image.channels}`);
    }
  });
  const seed = predictPassSeed(options.seed, 0);
  const passes: number[][][] = Array.from({ length: options.passes }, () => []);
  const pixels = imageSize * imageSize * channels;
  for (let start = 0; start < inputs.length; start += options.batchSize) {
    const batch = inputs.slice(start, start + options.batchSize);
    const data = new Float32Array(batch.length * pixels);
    batch.forEach((image, b) => data.set(image.data, b * pixels));
    const out = tf.tidy(() => model.passes(tf.tensor4d(data, [batch.length, imageSize, imageSize, channels]), options.passes, seed, options.views));
    const values = (await out.array()) as number[][][];
    out.dispose();
    for (let b = 0; b < batch.length; b++) for (let t = 0; t < options.passes; t++) passes[t].push(values[b][t]);
  }
  const summary = summarisePasses(model.head, model.schema, passes, options.votes);
  const rows = (xs: Float64Array[]) => xs.map((x) => Array.from(x));
  return {
    answers: summary.answers.map((a) => a.key),
    questions: summary.questions.map((q) => q.key),
    fraction: rows(summary.fraction),
    lower: rows(summary.lower),
    upper: rows(summary.upper),
    expectedVotes: rows(summary.expectedVotes),
    probabilityAsked: rows(summary.probabilityAsked),
    passes,
  };
}
