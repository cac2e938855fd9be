// galmorph's training-mode batch normalisation over the last axis, optionally followed by a leaky ReLU
// (src/backend/batchNormTrain.ts has the same loops in TypeScript, the conventions and the closed-form gradient).
// x is [rows, channels] (every axis but the last flattened into rows); statistics are per channel over the rows,
// accumulated in double precision; alpha < 0 means no activation.
#pragma once

#include <cstdint>

namespace galmorph {

struct BatchNormGeometry {
  int64_t rows, channels;

  int64_t size() const { return rows * channels; }
};

// y[rows, C] ← (leaky ReLU of) (x − mean)/√(variance + ε)·scale + offset; mean[C], variance[C] (biased) ← batch statistics.
void batchNormTrainForward(const BatchNormGeometry& g, const float* x, const float* scale, const float* offset,
                           double epsilon, double alpha, float* y, float* mean, float* variance);

// dx, dScale, dOffset ← gradient of Σ dy·y + Σ dMean·mean + Σ dVariance·variance, given the forward's x, y, mean and
// variance (y tells where the leaky ReLU took its alpha branch).
void batchNormTrainBackward(const BatchNormGeometry& g, const float* dy, const float* dMean, const float* dVariance,
                            const float* x, const float* y, const float* scale, const float* mean,
                            const float* variance, double epsilon, double alpha, float* dx, float* dScale,
                            float* dOffset);

}  // namespace galmorph
