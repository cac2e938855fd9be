// Plain loops (oneDNN's batch normalisation has no fused leaky ReLU backward and works in float32 sums). The loops
// run row by row with per-channel double accumulators in the inner loop, which the compiler vectorises; the
// activations of galmorph's models (≤ a few million values) are too small for an OpenMP team to pay off.
// Arithmetic follows the TypeScript kernel (src/backend/batchNormTrain.ts) step for step, in double precision.
#include "batchnorm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace galmorph {

void batchNormTrainForward(const BatchNormGeometry& g, const float* x, const float* scale, const float* offset,
                           double epsilon, double alpha, float* y, float* mean, float* variance) {
  const int64_t C = g.channels;
  const double rows = static_cast<double>(g.rows);
  // One pass: sums of x − k and its square, shifted by each channel's first value k.
  std::vector<double> k(x, x + C), s(C, 0.0), ss(C, 0.0), gain(C), shift(C);
  for (int64_t r = 0; r < g.rows; ++r) {
    const float* xr = x + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double d = static_cast<double>(xr[c]) - k[c];
      s[c] += d;
      ss[c] += d * d;
    }
  }
  for (int64_t c = 0; c < C; ++c) {
    const double m = s[c] / rows;
    const double mu = k[c] + m;
    const double v = std::max(0.0, ss[c] / rows - m * m);
    mean[c] = static_cast<float>(mu);
    variance[c] = static_cast<float>(v);
    gain[c] = static_cast<double>(scale[c]) / std::sqrt(static_cast<double>(variance[c]) + epsilon);
    shift[c] = static_cast<double>(offset[c]) - static_cast<double>(mean[c]) * gain[c];
  }
  const bool leaky = alpha >= 0;
  for (int64_t r = 0; r < g.rows; ++r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double z = static_cast<double>(xr[c]) * gain[c] + shift[c];
      yr[c] = static_cast<float>(leaky && !(z > 0) ? alpha * z : z);
    }
  }
}

void batchNormTrainBackward(const BatchNormGeometry& g, const float* dy, const float* dMean, const float* dVariance,
                            const float* x, const float* y, const float* scale, const float* mean,
                            const float* variance, double epsilon, double alpha, float* dx, float* dScale,
                            float* dOffset) {
  const int64_t C = g.channels;
  const double rows = static_cast<double>(g.rows);
  const bool leaky = alpha >= 0;
  std::vector<double> inv(C), mu(C), sumG(C, 0.0), sumGx(C, 0.0), a(C), b(C), k(C);
  for (int64_t c = 0; c < C; ++c) {
    inv[c] = 1.0 / std::sqrt(static_cast<double>(variance[c]) + epsilon);
    mu[c] = mean[c];
  }
  // g = dy, or alpha·dy where the leaky ReLU took its alpha branch (y ≤ 0 exactly where z ≤ 0 for alpha ≥ 0).
  for (int64_t r = 0; r < g.rows; ++r) {
    const int64_t o = r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double d = dy[o + c];
      const double gv = leaky && !(y[o + c] > 0) ? alpha * d : d;
      sumG[c] += gv;
      sumGx[c] += gv * (static_cast<double>(x[o + c]) - mu[c]);
    }
  }
  for (int64_t c = 0; c < C; ++c) {
    const double dScaleC = sumGx[c] * inv[c];
    dScale[c] = static_cast<float>(dScaleC);
    dOffset[c] = static_cast<float>(sumG[c]);
    // dx = a·g + b·(x − mean) + k.
    a[c] = static_cast<double>(scale[c]) * inv[c];
    b[c] = (-a[c] * inv[c] * dScaleC) / rows + (2 * static_cast<double>(dVariance[c])) / rows;
    k[c] = (-a[c] * sumG[c]) / rows + static_cast<double>(dMean[c]) / rows;
  }
  for (int64_t r = 0; r < g.rows; ++r) {
    const int64_t o = r * C;
    for (int64_t c = 0; c < C; ++c) {
      const double d = dy[o + c];
      const double gv = leaky && !(y[o + c] > 0) ? alpha * d : d;
      dx[o + c] = static_cast<float>(a[c] * gv + b[c] * (static_cast<double>(x[o + c]) - mu[c]) + k[c]);
    }
  }
}

}  // namespace galmorph
