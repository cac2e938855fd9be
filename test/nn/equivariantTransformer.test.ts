import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../../src/nn/params.js';
import { EquivariantTransformerLayer, ETStack, type EtGroup } from '../../src/nn/equivariantTransformer.js';
import { toNormalised } from '../../src/nn/resample.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An asymmetric smooth pattern [1, n, n, 1]: two blobs of different size and brightness, zero outside `support`. */
function pattern(n: number, support: [number, number] = [0, n - 1]): tf.Tensor4D {
  const v = new Float32Array(n * n);
  for (let i = support[0]; i <= support[1]; i++) {
    for (let j = support[0]; j <= support[1]; j++) {
      const x = toNormalised(j, n);
      const y = toNormalised(i, n);
      v[i * n + j] =
        Math.exp(-((x - 0.3) ** 2 + (y + 0.1) ** 2) / 0.05) + 0.6 * Math.exp(-((x + 0.2) ** 2 + (y - 0.35) ** 2) / 0.02);
    }
  }
  return tf.tensor4d(v, [1, n, n, 1]);
}

/** The same image with its content turned by exactly +90° (x → y): out[r][c] = in[n − 1 − c][r]. */
function rotate90(image: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(tf.transpose(image, [0, 2, 1, 3]), 2);
}

function wrapAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

describe('Equivariant Transformer layer', () => {
  for (const group of ['rotation', 'rotationScale'] as EtGroup[]) {
    for (const training of [true, false]) {
      it(`${group}: turning the input by +90° adds exactly π/2 to the angle (untrained, training=${training})`, () => {
        const store = new ParamStore(5);
        const layer = new EquivariantTransformerLayer(store.scope('et'), 'layer', { group, nf: 8 });
        tf.tidy(() => {
          const img = pattern(32);
          const out = layer.apply(tf.concat([img, rotate90(img)]), null, training);
          if (out.pose.group !== 'rotation' && out.pose.group !== 'rotationScale') throw new Error('wrong pose kind');
          const [a0, a1] = out.pose.angle.dataSync();
          expect(Math.abs(wrapAngle(a1 - a0 - Math.PI / 2))).toBeLessThan(1e-4);
          expect(Math.abs(wrapAngle(a0))).toBeGreaterThan(1e-3); // not a trivial zero
          if (out.pose.group === 'rotationScale') {
            const [s0, s1] = out.pose.logScale.dataSync();
            expect(Math.abs(s1 - s0)).toBeLessThan(1e-5); // a rotation leaves the log-scale reading unchanged
          }
        });
        store.dispose();
      });
    }
  }

  it('translation: shifting the input by 4 px right and 8 px down rolls the heatmaps by 1 and 2 positions (eval mode)', () => {
    const store = new ParamStore(6);
    const layer = new EquivariantTransformerLayer(store.scope('et'), 'layer', { group: 'translation', nf: 8 });
    const n = 48; // total stride 4: 12 feature positions, one per 4 input pixels
    const run = () =>
      tf.tidy(() => {
        const img = pattern(n, [12, 23]); // zero background: nothing leaves the image or the receptive fields
        const shifted = tf.slice(tf.pad(img, [[0, 0], [8, 0], [4, 0], [0, 0]]), [0, 0, 0, 0], [1, n, n, 1]);
        const out = layer.apply(tf.concat([img, shifted]) as tf.Tensor4D, null, false);
        if (out.pose.group !== 'translation') throw new Error('wrong pose kind');
        const rows = (t: tf.Tensor2D | undefined) => (t as tf.Tensor2D).arraySync();
        return {
          tx: Array.from(out.pose.tx.dataSync()),
          ty: Array.from(out.pose.ty.dataSync()),
          hu: rows(out.heatmaps.u),
          hv: rows(out.heatmaps.v),
        };
      });
    const untrained = run();
    for (let j = 1; j < 12; j++) expect(untrained.hu[1][j]).toBeCloseTo(untrained.hu[0][j - 1], 6);
    for (let j = 2; j < 12; j++) expect(untrained.hv[1][j]).toBeCloseTo(untrained.hv[0][j - 2], 6);
    // The soft-argmax moves by exactly the shift once the heatmaps carry no mass at the ends of the (non-periodic)
    // axes: a positive readout kernel makes the content's logits dominate the background's zeros.
    const weights = store.exportWeights();
    for (const name of ['et/layer/readU/kernel', 'et/layer/readV/kernel']) weights[name].values.fill(20);
    store.importWeights(weights);
    const sharp = run();
    expect(sharp.hu[0][0] + sharp.hu[0][11] + sharp.hv[0][0] + sharp.hv[0][11]).toBeLessThan(1e-5);
    expect(sharp.tx[1] - sharp.tx[0]).toBeCloseTo((4 * 2) / (n - 1), 5);
    expect(sharp.ty[1] - sharp.ty[0]).toBeCloseTo((8 * 2) / (n - 1), 5);
    store.dispose();
  });

  it('refuses an angular grid whose rows are not a multiple of the total stride, saying what to set', () => {
    const store = new ParamStore(7);
    const layer = new EquivariantTransformerLayer(store.scope('et'), 'rot', { group: 'rotation', nf: 4, gridSize: [30, 16] });
    tf.tidy(() => {
      expect(() => layer.apply(tf.zeros([1, 16, 16, 1]), null, false)).toThrow(/gridSize to \[32, 16\]/);
    });
    store.dispose();
  });
});

describe('ETStack', () => {
  it('the canonical image does not change when the input turns by +90° (rotation stack)', () => {
    const store = new ParamStore(8);
    const stack = new ETStack(store.scope('model'), 'et', { groups: ['rotation'], nf: 8 });
    tf.tidy(() => {
      const img = pattern(32);
      const batch = tf.concat([img, rotate90(img)]);
      const { transform } = stack.apply(batch, true);
      const canonical = stack.canonicalise(batch, transform);
      const [c0, c1] = tf.unstack(canonical);
      const diff = tf.max(tf.abs(tf.sub(c0, c1))).dataSync()[0];
      expect(diff).toBeLessThan(1e-4);
      const inputsDiffer = tf.max(tf.abs(tf.sub(img, rotate90(img)))).dataSync()[0];
      expect(inputsDiffer).toBeGreaterThan(0.5);
    });
    store.dispose();
  });

  it('composes its layers, canonicalises at another size and renders back to the observed pose', () => {
    const store = new ParamStore(9);
    const stack = new ETStack(store.scope('model'), 'et', { groups: ['translation', 'rotationScale'], nf: 4 });
    tf.tidy(() => {
      const x = tf.concat([pattern(16), rotate90(pattern(16))]);
      const out = stack.apply(x, false);
      expect(out.layers.map((l) => l.pose.group)).toEqual(['translation', 'rotationScale']);
      const expected = tf.matMul(out.layers[0].matrix, out.layers[1].matrix);
      expect(tf.max(tf.abs(tf.sub(expected, out.transform))).dataSync()[0]).toBeLessThan(1e-6);
      expect(stack.canonicalise(x, out.transform, [8, 12]).shape).toEqual([2, 8, 12, 1]);
      expect(stack.renderObserved(stack.canonicalise(x, out.transform), out.transform).shape).toEqual([2, 16, 16, 1]);
    });
    store.dispose();
  });

  it('a forward and backward pass trains every pose parameter and leaves no tensors behind', () => {
    const store = new ParamStore(10);
    const stack = new ETStack(store.scope('model'), 'et', { groups: ['translation', 'rotation'], nf: 4, kernel: 3 });
    const x = tf.concat([pattern(16), rotate90(pattern(16))]);
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const out = stack.apply(x, true);
          const canonical = stack.canonicalise(x, out.transform, [12, 12]);
          const target = tf.linspace(0, 1, 144).reshape([1, 12, 12, 1]);
          return tf.mean(tf.square(tf.sub(canonical, target))) as tf.Scalar;
        }, store.trainable);
        return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.max(tf.abs(g))]));
      });
    const first = step();
    const before = tf.memory().numTensors;
    const second = step();
    expect(tf.memory().numTensors - before).toBe(Object.keys(second).length);
    const magnitudes = Object.values(second).map((t) => t.dataSync()[0]);
    expect(magnitudes.length).toBe(store.trainable.length);
    expect(magnitudes.every((m) => Number.isFinite(m))).toBe(true);
    expect(magnitudes.every((m) => m > 0)).toBe(true);
    tf.dispose([...Object.values(first), ...Object.values(second), x]);
    store.dispose();
  });

  it('rejects unknown groups and bad strides, naming the option', () => {
    const store = new ParamStore(11);
    expect(() => new ETStack(store.scope('m'), 'et', { groups: ['shear' as EtGroup] })).toThrow(/option "groups"/);
    expect(() => new ETStack(store.scope('m'), 'et2', { strides: [2, 0] })).toThrow(/option "strides"/);
    expect(() => new ETStack(store.scope('m'), 'et3', { kernel: 4 })).toThrow(/option "kernel"/);
    store.dispose();
  });
});
