// Kernels of the ET-VAE's decoder and reconstruction term (plain loops):
// - nearest-neighbour up-sampling of NHWC images by integer factors (tfjs's ResizeNearestNeighbor without aligned
//   corners, where every input pixel fills one factorH × factorW block) and its gradient (block sums);
// - the clipped Bernoulli log-likelihood of pixels given probabilities and its gradient w.r.t. the probabilities
//   (conventions of src/backend/bernoulliProbabilities.ts).
#pragma once

#include <cstdint>

namespace galmorph {

struct UpsampleGeometry {
  int64_t batch, height, width, channels;  // the input
  int64_t factorH, factorW;

  int64_t inputSize() const { return batch * height * width * channels; }
  int64_t outputSize() const { return inputSize() * factorH * factorW; }
};

// y[B, H·fh, W·fw, C] ← x[b, ⌊r/fh⌋, ⌊c/fw⌋, :]
void upsampleNearest(const UpsampleGeometry& g, const float* x, float* y);
// dx[B, H, W, C] ← Σ of dy over each pixel's block (double-precision sums)
void upsampleNearestGrad(const UpsampleGeometry& g, const float* dy, float* dx);

// out[b] ← Σ over image b's n pixels of x·ln p′ + (1 − x)·ln(1 − p′), p′ = p clipped to [float(ε), float(1 − ε)]
void bernoulliProbLogLik(int64_t batch, int64_t n, double clip, const float* target, const float* p, float* out);
// dp ← dy_b·(x/p − (1 − x)/(1 − p)) inside the clip bounds, 0 outside
void bernoulliProbLogLikGrad(int64_t batch, int64_t n, double clip, const float* dy, const float* target, const float* p,
                             float* dp);

}  // namespace galmorph
