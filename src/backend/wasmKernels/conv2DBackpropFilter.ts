/**
 * Conv2DBackpropFilter for wasm (missing from tfjs-backend-wasm 4.22).
 *
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[b,oh,ow,co]
 * is itself a convolution: treat input channels as the batch (xᵀ = [ci,H,W,B]) and dy as the filter
 * (dyᵀ = [OH,OW,B,co]) with dilation = stride; the result [ci,KH',KW',co] is cropped to the kernel size and
 * transposed to [KH,KW,ci,co]. XNNPACK runs the whole thing.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeAll, runWasm, transpose, type WasmKernelArgs } from './wasmKernelCalls.js';

function conv2DBackpropFilter({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('galmorph Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, padInfo } = info;
  // Bottom/right padding that makes the result exactly the kernel size; when the forward pass left input
  // rows unused (valid padding, stride > 1) the result is larger and gets cropped instead.
  const padBottom = Math.max(0, (outHeight - 1) * strideHeight + filterHeight - inHeight - padInfo.top);
  const padRight = Math.max(0, (outWidth - 1) * strideWidth + filterWidth - inWidth - padInfo.left);

  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const full = runWasm(tf.Conv2D, backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [
      [0, 0],
      [padInfo.top, padBottom],
      [padInfo.left, padRight],
      [0, 0],
    ],
    dilations: [strideHeight, strideWidth],
    dataFormat: 'NHWC',
  });
  disposeAll(backend, xT, dyT);
  let cropped = full;
  if (full.shape[1] !== filterHeight || full.shape[2] !== filterWidth) {
    cropped = runWasm(tf.Slice, backend, { x: full }, {
      begin: [0, 0, 0, 0],
      size: [inChannels, filterHeight, filterWidth, outChannels],
    });
    disposeAll(backend, full);
  }
  const dW = transpose(backend, cropped, [1, 2, 0, 3]);
  disposeAll(backend, cropped);
  return dW;
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
