/**
 * The benchmark yardstick model of the bench README, as a TrainTask module (`createTask`), layer for layer
 * the model of `torch_reference.py`: 64×64×1 input; STN front end (avgpool4 → conv16 → pool → conv16 → pool
 * → dense → θ = π·tanh) rotating the image with gather-based bilinear sampling (border clamp); encoder
 * 3 × [conv3x3+ReLU, conv3x3+ReLU, maxpool2] (filters 32/64/64) → dense → 2×16; decoder mirrored with nearest
 * ×2 up-sampling; Bernoulli (sigmoid cross-entropy with logits) summed over pixels + KL, mean over the batch.
 * 490,354 parameters with the default filters.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostBatch } from '../data/hostBatch.js';
import type { StepOutput, TrainTask } from '../models/trainTask.js';
import { Rng } from '../util/rng.js';
import { currentBackend } from '../backend/initBackend.js';

export interface ReferenceVaeOptions {
  seed: number;
  /** Encoder filters f1/f2/f3. */
  filters?: [number, number, number];
  latent?: number;
}

const SIZE = 64;

export interface ReferenceVaeTask extends TrainTask {
  /** STN + encoder forward to the latent mean, no tape: [batch, latent]. */
  encodeMean(batch: HostBatch): tf.Tensor2D;
}

interface Conv {
  w: tf.Variable;
  b: tf.Variable;
}

export function createTask(options: ReferenceVaeOptions): ReferenceVaeTask {
  const [f1, f2, f3] = options.filters ?? [32, 64, 64];
  const latent = options.latent ?? 16;
  const rng = new Rng(options.seed);
  const variables: tf.Variable[] = [];
  const uniform = (shape: number[], fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const size = shape.reduce((a, b) => a * b, 1);
    const v = tf.variable(tf.tensor(Float32Array.from({ length: size }, () => rng.range(-bound, bound)), shape));
    variables.push(v);
    return v;
  };
  const conv = (cin: number, cout: number): Conv => ({ w: uniform([3, 3, cin, cout], 9 * cin), b: uniform([cout], 9 * cin) });
  const dense = (nin: number, nout: number): Conv => ({ w: uniform([nin, nout], nin), b: uniform([nout], nin) });

  const loc1 = conv(1, 16);
  const loc2 = conv(16, 16);
  const locDense = dense(256, 1);
  const enc = [conv(1, f1), conv(f1, f1), conv(f1, f2), conv(f2, f2), conv(f2, f3), conv(f3, f3)];
  const hs = SIZE / 8;
  const encDense = dense(hs * hs * f3, 2 * latent);
  const decDense = dense(latent, hs * hs * f3);
  const dec = [conv(f3, f3), conv(f3, f3), conv(f3, f2), conv(f2, f1), conv(f1, f1), conv(f1, f1)];
  const out = conv(f1, 1);

  // Pixel coordinates relative to the centre, [1, H·W].
  const half = (SIZE - 1) / 2;
  const gxHost = Float32Array.from({ length: SIZE * SIZE }, (_, p) => (p % SIZE) - half);
  const gyHost = Float32Array.from({ length: SIZE * SIZE }, (_, p) => Math.floor(p / SIZE) - half);
  const gx = tf.keep(tf.tensor2d(gxHost, [1, SIZE * SIZE]));
  const gy = tf.keep(tf.tensor2d(gyHost, [1, SIZE * SIZE]));

  /** conv3x3 'same' + bias (+ ReLU); `fused` only for inference (no fused gradient in tfjs). */
  const convLayer = (x: tf.Tensor4D, layer: Conv, relu: boolean, fused: boolean): tf.Tensor4D => {
    if (fused) {
      return tf.fused.conv2d({ x, filter: layer.w as tf.Tensor4D, strides: 1, pad: 'same', bias: layer.b, activation: relu ? 'relu' : 'linear' });
    }
    const y = tf.add(tf.conv2d(x, layer.w as tf.Tensor4D, 1, 'same'), layer.b) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  };
  const denseLayer = (x: tf.Tensor2D, layer: Conv) => tf.add(tf.matMul(x, layer.w as tf.Tensor2D), layer.b) as tf.Tensor2D;

  const locnet = (x: tf.Tensor4D, fused: boolean): tf.Tensor2D => {
    let h = tf.avgPool(x, 4, 4, 'valid');
    h = tf.maxPool(convLayer(h, loc1, true, fused), 2, 2, 'valid');
    h = tf.maxPool(convLayer(h, loc2, true, fused), 2, 2, 'valid');
    return tf.mul(tf.tanh(denseLayer(tf.reshape(h, [x.shape[0], -1]), locDense)), Math.PI);
  };

  /**
   * Bilinear rotation about the centre with border clamp, as four gathers. The integer sample positions come
   * from a detached host copy of θ (tfjs has no stopGradient); the interpolation weights stay differentiable.
   */
  const rotate = (img: tf.Tensor4D, theta: tf.Tensor2D): tf.Tensor4D => {
    const batch = img.shape[0];
    const n = SIZE * SIZE;
    const thetaHost = theta.dataSync();
    const idx = [new Int32Array(batch * n), new Int32Array(batch * n), new Int32Array(batch * n), new Int32Array(batch * n)];
    const x0Host = new Float32Array(batch * n);
    const y0Host = new Float32Array(batch * n);
    const clamp = (v: number) => Math.min(SIZE - 1, Math.max(0, v));
    for (let b = 0; b < batch; b++) {
      const c = Math.fround(Math.cos(thetaHost[b]));
      const s = Math.fround(Math.sin(thetaHost[b]));
      for (let p = 0; p < n; p++) {
        const x0 = Math.floor(c * gxHost[p] - s * gyHost[p] + half);
        const y0 = Math.floor(s * gxHost[p] + c * gyHost[p] + half);
        const i = b * n + p;
        x0Host[i] = x0;
        y0Host[i] = y0;
        const [xa, xb, ya, yb] = [clamp(x0), clamp(x0 + 1), clamp(y0) * SIZE, clamp(y0 + 1) * SIZE];
        const base = b * n;
        idx[0][i] = base + ya + xa;
        idx[1][i] = base + ya + xb;
        idx[2][i] = base + yb + xa;
        idx[3][i] = base + yb + xb;
      }
    }
    const c = tf.cos(theta);
    const s = tf.sin(theta);
    const xs = tf.add(tf.sub(tf.mul(c, gx), tf.mul(s, gy)), half);
    const ys = tf.add(tf.add(tf.mul(s, gx), tf.mul(c, gy)), half);
    const wx = tf.sub(xs, tf.tensor2d(x0Host, [batch, n]));
    const wy = tf.sub(ys, tf.tensor2d(y0Host, [batch, n]));
    const flat = tf.reshape(img, [batch * n]);
    const [v00, v01, v10, v11] = idx.map((ix) => tf.reshape(tf.gather(flat, tf.tensor1d(ix, 'int32')), [batch, n]));
    const top = tf.add(v00, tf.mul(wx, tf.sub(v01, v00)));
    const bottom = tf.add(v10, tf.mul(wx, tf.sub(v11, v10)));
    return tf.reshape(tf.add(top, tf.mul(wy, tf.sub(bottom, top))), [batch, SIZE, SIZE, 1]);
  };

  const encode = (x: tf.Tensor4D, fused: boolean): tf.Tensor2D => {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = convLayer(h, enc[2 * i], true, fused);
      h = tf.maxPool(convLayer(h, enc[2 * i + 1], true, fused), 2, 2, 'valid');
    }
    return denseLayer(tf.reshape(h, [x.shape[0], -1]), encDense);
  };

  const decode = (z: tf.Tensor2D): tf.Tensor4D => {
    let h = tf.reshape(tf.relu(denseLayer(z, decDense)), [z.shape[0], hs, hs, f3]) as tf.Tensor4D;
    for (let i = 0; i < 3; i++) {
      h = tf.image.resizeNearestNeighbor(h, [h.shape[1] * 2, h.shape[2] * 2]);
      h = convLayer(h, dec[2 * i], true, false);
      h = convLayer(h, dec[2 * i + 1], true, false);
    }
    return convLayer(h, out, false, false);
  };

  const images = (batch: HostBatch) => tf.tensor4d(batch.arrays.images, [batch.size, SIZE, SIZE, 1]);

  return {
    trainable: variables,
    state: [],
    step(batch: HostBatch, step: number, shard: number): StepOutput {
      const x = images(batch);
      const input = rotate(x, locnet(x, false));
      const stats = encode(input, false);
      const mu = tf.slice(stats, [0, 0], [-1, latent]);
      const logVar = tf.slice(stats, [0, latent], [-1, latent]);
      const eps = tf.randomNormal([batch.size, latent], 0, 1, 'float32', (options.seed * 1_000_003 + step * 64 + shard) % 2 ** 31);
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
      const logits = decode(z);
      // Sigmoid cross-entropy with logits: max(l, 0) − l·t + log(1 + e^(−|l|)).
      const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, input)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
      const reconstruction = tf.sum(tf.reshape(bce, [batch.size, -1]), 1);
      const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mu)), tf.exp(logVar)), 1));
      return {
        loss: tf.mean(tf.add(reconstruction, kl)) as tf.Scalar,
        metrics: { reconstruction: tf.mean(reconstruction) as tf.Scalar, kl: tf.mean(kl) as tf.Scalar },
      };
    },
    encodeMean(batch: HostBatch): tf.Tensor2D {
      return tf.tidy(() => {
        const x = images(batch);
        // Fused conv+bias+ReLU is XNNPACK's; when the native addon runs Conv2D, its unfused conv is faster.
        const fuse = !(currentBackend()?.nativeKernels.includes(tf.Conv2D) ?? false);
        const stats = encode(rotate(x, locnet(x, fuse)), fuse);
        return tf.slice(stats, [0, 0], [-1, latent]);
      });
    },
    dispose() {
      tf.dispose([...variables, gx, gy]);
    },
  };
}

/** This module's URL, for TaskSpecs (works from src under tsx and from dist). */
export const REFERENCE_VAE_MODULE = import.meta.url;
