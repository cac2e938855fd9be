import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setUpWasm } from '../kernelHarness.js';

describe('Identity on wasm', () => {
  beforeAll(setUpWasm);

  it('shares the buffer without copying and frees it only when the last holder is disposed', () => {
    const before = tf.memory();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers + 1);
    expect(b.dataId).toBe(a.dataId);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it('keeps variables independent of the tensor they were made from after assign', () => {
    const init = tf.tensor1d([1, 2]);
    const v = tf.variable(init);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(init.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    init.dispose();
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    v.dispose();
  });
});
