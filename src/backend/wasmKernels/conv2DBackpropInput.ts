/**
 * Conv2DBackpropInput for wasm (the stock kernel is a naive C++ loop, 12–15× slower).
 *
 * dx is a stride-1 convolution of dy, zero-dilated by the stride, with the filter flipped in space and its
 * in/out channels swapped, padded by k − 1 − pad; XNNPACK runs it. Negative paddings (explicit padding
 * larger than the kernel, stride leftovers) become zero padding plus a crop of the result.
 * One input channel (a first layer) goes through a matrix product and a scatter instead (`../conv2DBackpropInputNarrow.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { isNarrowBackpropInput, narrowColsShape, scatterNarrowCols } from '../conv2DBackpropInputNarrow.js';
import { disposeAll, heapF32, reshape, runWasm, transpose, type WasmKernelArgs } from './wasmKernelCalls.js';

function conv2DBackpropInput({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') throw new Error('galmorph Conv2DBackpropInput (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  if (isNarrowBackpropInput(info)) return narrowBackpropInput(info, dy, filter, backend);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  // Zero-dilate dy: each row/column followed by stride − 1 zeros (the trailing zeros only add padding).
  let dilated = dy;
  if (strideHeight > 1 || strideWidth > 1) {
    const expanded = reshape(backend, dy, [batchSize, outHeight, 1, outWidth, 1, outChannels]);
    const padded = runWasm(tf.PadV2, backend, { x: expanded }, {
      paddings: [
        [0, 0],
        [0, 0],
        [0, strideHeight - 1],
        [0, 0],
        [0, strideWidth - 1],
        [0, 0],
      ],
      constantValue: 0,
    });
    dilated = reshape(backend, padded, [batchSize, outHeight * strideHeight, outWidth * strideWidth, outChannels]);
    disposeAll(backend, expanded, padded);
  }
  const dilatedHeight = dilated.shape[1];
  const dilatedWidth = dilated.shape[2];

  const topWanted = filterHeight - 1 - padInfo.top;
  const leftWanted = filterWidth - 1 - padInfo.left;
  const padTop = Math.max(0, topWanted);
  const padLeft = Math.max(0, leftWanted);
  const cropTop = padTop - topWanted;
  const cropLeft = padLeft - leftWanted;
  const padBottom = Math.max(0, inHeight + cropTop - dilatedHeight - padTop + filterHeight - 1);
  const padRight = Math.max(0, inWidth + cropLeft - dilatedWidth - padLeft + filterWidth - 1);

  const reversed = runWasm(tf.Reverse, backend, { x: filter }, { dims: [0, 1] });
  const flipped = transpose(backend, reversed, [0, 1, 3, 2]);
  const full = runWasm(tf.Conv2D, backend, { x: dilated, filter: flipped }, {
    strides: [1, 1],
    pad: [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ],
    dilations: [1, 1],
    dataFormat: 'NHWC',
  });
  disposeAll(backend, reversed, flipped);
  if (dilated !== dy) disposeAll(backend, dilated);
  if (cropTop === 0 && cropLeft === 0 && full.shape[1] === inHeight && full.shape[2] === inWidth) return full;
  const dx = runWasm(tf.Slice, backend, { x: full }, {
    begin: [0, cropTop, cropLeft, 0],
    size: [batchSize, inHeight, inWidth, inChannels],
  });
  disposeAll(backend, full);
  return dx;
}

/** One input channel: dy · filterᵀ (the registered BatchMatMul), then the scatter (`../conv2DBackpropInputNarrow.ts`). */
function narrowBackpropInput(info: tf.backend_util.Conv2DInfo, dy: tf.TensorInfo, filter: tf.TensorInfo, backend: WasmKernelArgs['backend']): tf.TensorInfo {
  const [rows, taps] = narrowColsShape(info);
  const a = reshape(backend, dy, [1, rows, info.outChannels]);
  const b = reshape(backend, filter, [1, taps, info.outChannels]);
  const cols = runWasm(tf.BatchMatMul, backend, { a, b }, { transposeA: false, transposeB: true });
  const dx = backend.makeOutput(info.inShape, 'float32');
  scatterNarrowCols(info, heapF32(backend, cols), heapF32(backend, dx));
  disposeAll(backend, a, b, cols);
  return dx;
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
