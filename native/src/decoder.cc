// Plain loops, single-threaded: the decoder's activations (≤ a few million values) are too small for an OpenMP team.
#include "decoder.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace galmorph {

void upsampleNearest(const UpsampleGeometry& g, const float* x, float* y) {
  const int64_t C = g.channels;
  const int64_t outW = g.width * g.factorW;
  const int64_t outRow = outW * C;
  for (int64_t b = 0; b < g.batch; ++b) {
    for (int64_t r = 0; r < g.height; ++r) {
      const float* in = x + ((b * g.height + r) * g.width) * C;
      float* first = y + ((b * g.height + r) * g.factorH) * outRow;
      // One output row from the input row, then its copies.
      for (int64_t c = 0; c < g.width; ++c) {
        for (int64_t k = 0; k < g.factorW; ++k) std::memcpy(first + (c * g.factorW + k) * C, in + c * C, sizeof(float) * C);
      }
      for (int64_t k = 1; k < g.factorH; ++k) std::memcpy(first + k * outRow, first, sizeof(float) * outRow);
    }
  }
}

void upsampleNearestGrad(const UpsampleGeometry& g, const float* dy, float* dx) {
  const int64_t C = g.channels;
  const int64_t outW = g.width * g.factorW;
  const int64_t outRow = outW * C;
  std::vector<double> sums(g.width * C);
  for (int64_t b = 0; b < g.batch; ++b) {
    for (int64_t r = 0; r < g.height; ++r) {
      std::fill(sums.begin(), sums.end(), 0.0);
      const float* block = dy + ((b * g.height + r) * g.factorH) * outRow;
      for (int64_t k = 0; k < g.factorH; ++k) {
        const float* row = block + k * outRow;
        for (int64_t c = 0; c < g.width; ++c) {
          for (int64_t j = 0; j < g.factorW; ++j) {
            const float* d = row + (c * g.factorW + j) * C;
            double* s = sums.data() + c * C;
            for (int64_t ch = 0; ch < C; ++ch) s[ch] += d[ch];
          }
        }
      }
      float* out = dx + ((b * g.height + r) * g.width) * C;
      for (int64_t i = 0; i < g.width * C; ++i) out[i] = static_cast<float>(sums[i]);
    }
  }
}

void bernoulliProbLogLik(int64_t batch, int64_t n, double clip, const float* target, const float* p, float* out) {
  const double lo = static_cast<float>(clip);
  const double hi = static_cast<float>(1.0 - clip);
  for (int64_t b = 0; b < batch; ++b) {
    double s = 0;
    for (int64_t i = b * n; i < (b + 1) * n; ++i) {
      const double v = p[i];
      const double q = v < lo ? lo : v > hi ? hi : v;  // NaN stays NaN
      const double x = target[i];
      // 1 − q is exact in double precision for a float32 q.
      s += x * std::log(q) + (1 - x) * std::log(1 - q);
    }
    out[b] = static_cast<float>(s);
  }
}

void bernoulliProbLogLikGrad(int64_t batch, int64_t n, double clip, const float* dy, const float* target, const float* p,
                             float* dp) {
  const double lo = static_cast<float>(clip);
  const double hi = static_cast<float>(1.0 - clip);
  for (int64_t b = 0; b < batch; ++b) {
    const double d = dy[b];
    for (int64_t i = b * n; i < (b + 1) * n; ++i) {
      const double v = p[i];
      const double x = target[i];
      dp[i] = v < lo || v > hi ? 0.0f : static_cast<float>(d * (x / v - (1 - x) / (1 - v)));
    }
  }
}

}  // namespace galmorph
