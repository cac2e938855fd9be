/**
 * Running a trained AstroVaDEr over a dataset in this thread: each galaxy's embedded mean μ̃ and its cluster
 * responsibilities γ (host arrays, keyed by id in batch order), and reconstructions of chosen images.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, ImageRow } from '../../data/dataset.js';
import { vadeBatchImages } from '../../models/vadeTask.js';
import type { Vade } from '../../models/vade.js';

export interface Embedding {
  ids: string[];
  /** μ̃ per galaxy [J]. */
  means: Float64Array[];
  /** γ per galaxy [K] (empty arrays when not asked for). */
  responsibilities: Float64Array[];
}

/** μ̃ (and γ when asked) of the first `batches` batches of the dataset's epoch 0 (all of them by default). */
export async function embedDataset<R extends ImageRow>(
  model: Vade, dataset: ImageDataset<R>, options: { batches?: number; responsibilities?: boolean } = {},
): Promise<Embedding> {
  const out: Embedding = { ids: [], means: [], responsibilities: [] };
  const limit = options.batches ?? Number.POSITIVE_INFINITY;
  let seen = 0;
  for await (const batch of dataset.batches(0)) {
    if (seen >= limit) break;
    seen += 1;
    const means = tf.tidy(() => model.encode(vadeBatchImages(batch, model)).mean);
    const gamma = options.responsibilities ? model.responsibilities(means) : null;
    const j = model.config.latentDim;
    const k = model.config.clusters;
    const m = means.dataSync();
    const g = gamma?.dataSync() ?? null;
    tf.dispose(gamma === null ? [means] : [means, gamma]);
    batch.ids.forEach((id, b) => {
      out.ids.push(id);
      out.means.push(Float64Array.from(m.subarray(b * j, (b + 1) * j)));
      out.responsibilities.push(g === null ? new Float64Array(0) : Float64Array.from(g.subarray(b * k, (b + 1) * k)));
    });
  }
  return out;
}

/**
 * Images (each [S·S·C] in [0, 1]) as the encoder sees them (through the model's front end) and the decoded latent
 * means, as images of the same shape.
 */
export function reconstructImages(model: Vade, images: Float32Array[]): { inputs: Float32Array[]; reconstructions: Float32Array[] } {
  if (images.length === 0) return { inputs: [], reconstructions: [] };
  const { imageSize: s, channels: c } = model.config;
  const per = s * s * c;
  const flat = new Float32Array(images.length * per);
  images.forEach((im, i) => flat.set(im, i * per));
  const [inputs, out] = tf.tidy(() => {
    const prepared = model.prepare(tf.tensor4d(flat, [images.length, s, s, c]));
    return [prepared, model.decode(model.encode(prepared).mean)];
  });
  const seen = inputs.dataSync() as Float32Array;
  const data = out.dataSync() as Float32Array;
  tf.dispose([inputs, out]);
  const split = (d: Float32Array) => images.map((_, i) => d.slice(i * per, (i + 1) * per));
  return { inputs: split(seen), reconstructions: split(data) };
}

/** Decoded latent vectors (each [J]) as images [S·S·C]. */
export function decodeLatents(model: Vade, latents: ArrayLike<number>[]): Float32Array[] {
  if (latents.length === 0) return [];
  const j = model.config.latentDim;
  const flat = new Float32Array(latents.length * j);
  latents.forEach((z, i) => flat.set(Array.from(z), i * j));
  const out = tf.tidy(() => model.decode(tf.tensor2d(flat, [latents.length, j])));
  const data = out.dataSync() as Float32Array;
  const per = data.length / latents.length;
  out.dispose();
  return latents.map((_, i) => data.slice(i * per, (i + 1) * per));
}
