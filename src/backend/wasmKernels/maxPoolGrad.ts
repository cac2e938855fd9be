/**
 * MaxPoolGrad for wasm. The stock kernel seeds its running maximum with the smallest positive float and
 * keeps the last maximum, so a window whose values are all ≤ 0 sends its gradient to the wrong element.
 * This one seeds with −∞, keeps the first maximum (as the cpu backend and TensorFlow do) and runs over
 * heap views, channels innermost.
 */
import * as tf from '@tensorflow/tfjs';
import { heapF32, type WasmKernelArgs } from './wasmKernelCalls.js';

function maxPoolGrad({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const { effectiveFilterHeight, effectiveFilterWidth } = info;
  const dx = backend.makeOutput(input.shape, 'float32');
  const xs = heapF32(backend, input);
  const dys = heapF32(backend, dy);
  const dxs = heapF32(backend, dx);
  dxs.fill(0);
  if (effectiveFilterHeight === 2 && effectiveFilterWidth === 2 && strideHeight === 2 && strideWidth === 2 && padInfo.top === 0 && padInfo.left === 0) {
    maxPoolGrad2x2(xs, dys, dxs, batchSize, inHeight, inWidth, channels, outHeight, outWidth);
    return dx;
  }
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padInfo.left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let fh = 0; fh < effectiveFilterHeight; fh += dilationHeight) {
          const ih = top + fh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < effectiveFilterWidth; fw += dilationWidth) {
            const iw = left + fw;
            if (iw < 0 || iw >= inWidth) continue;
            const base = ((b * inHeight + ih) * inWidth + iw) * channels;
            for (let c = 0; c < channels; c++) {
              const v = xs[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          if (where[c] >= 0) dxs[where[c]] += dys[dyBase + c];
        }
      }
    }
  }
  return dx;
}

/**
 * The 2×2, stride-2 case of every pooling block, without the per-window bookkeeping: windows do not overlap, so each
 * output's gradient goes to the first maximum of its (up to) four inputs, scanned row by row as above.
 */
function maxPoolGrad2x2(
  xs: Float32Array, dys: Float32Array, dxs: Float32Array, batch: number, inH: number, inW: number, channels: number, outH: number, outW: number,
): void {
  const row = inW * channels;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const ih = 2 * oh;
      const hasBelow = ih + 1 < inH;
      for (let ow = 0; ow < outW; ow++) {
        const iw = 2 * ow;
        const hasRight = iw + 1 < inW;
        const p00 = ((b * inH + ih) * inW + iw) * channels;
        const dyBase = ((b * outH + oh) * outW + ow) * channels;
        for (let c = 0; c < channels; c++) {
          let at = p00 + c;
          let best = xs[at];
          if (hasRight && xs[at + channels] > best) {
            best = xs[at + channels];
            at = p00 + c + channels;
          }
          if (hasBelow) {
            const q = p00 + c + row;
            if (xs[q] > best) {
              best = xs[q];
              at = q;
            }
            if (hasRight && xs[q + channels] > best) at = q + channels;
          }
          dxs[at] += dys[dyBase + c];
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
