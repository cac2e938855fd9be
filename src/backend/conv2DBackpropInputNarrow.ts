/**
 * Conv2DBackpropInput for a convolution with ONE input channel (the first layer of an image model, whose input
 * gradient the ET models need for the pose gradient), as a matrix product and a scatter-add:
 *   cols [B·OH·OW, kh·kw] = dy [B·OH·OW, co] · filterᵀ (filter as [kh·kw, co]),
 *   dx[b, oh·sh + i − top, ow·sw + j − left] += cols[b, oh, ow, (i, j)]  (positions inside the input only).
 * That is the convolution's adjoint, written out. Convolution libraries run this case poorly (a single output channel
 * of the transposed convolution: about 5 ms for 16 × 64 × 64 × 32 through oneDNN, 0.8 ms for the product alone);
 * the scatter is B·OH·OW·kh·kw additions.
 */
import type * as tf from '@tensorflow/tfjs';

/** Whether `info` is a case this path serves: one input channel, no dilation. */
export function isNarrowBackpropInput(info: tf.backend_util.Conv2DInfo): boolean {
  return info.inChannels === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outHeight > 0 && info.outWidth > 0;
}

/** The product's shape: [B·OH·OW, kh·kw]. */
export function narrowColsShape(info: tf.backend_util.Conv2DInfo): [number, number] {
  return [info.batchSize * info.outHeight * info.outWidth, info.filterHeight * info.filterWidth];
}

/** dx [B, H, W, 1] ← Σ of the columns at the input positions they came from. */
export function scatterNarrowCols(info: tf.backend_util.Conv2DInfo, cols: Float32Array, dx: Float32Array): void {
  const { batchSize, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, padInfo } = info;
  const taps = kh * kw;
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    const image = b * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const top = oh * sh - padInfo.top;
      for (let ow = 0; ow < OW; ow++) {
        const left = ow * sw - padInfo.left;
        const c = ((b * OH + oh) * OW + ow) * taps;
        for (let i = 0; i < kh; i++) {
          const ih = top + i;
          if (ih < 0 || ih >= H) continue;
          const rowBase = image + ih * W;
          for (let j = 0; j < kw; j++) {
            const iw = left + j;
            if (iw >= 0 && iw < W) dx[rowBase + iw] += cols[c + i * kw + j];
          }
        }
      }
    }
  }
}
