// Plain loops, single-threaded (the activations are a few million values), written so that the compiler vectorises
// them (fixed-width lane accumulators, contiguous runs): the kW·C values under one filter row are contiguous in NHWC
// activations and HWIO filters. `target_clones` builds an AVX2 version beside the baseline one and picks it at load
// time where the CPU has AVX2 (the addon is otherwise compiled for the baseline x86-64). The input gradient with one
// input channel is oneDNN's matrix product (fast) plus a scatter (slow in JavaScript, cheap here).
#include "narrowConv.h"

#include "matmul.h"

#include <algorithm>
#include <vector>

namespace galmorph {

namespace {

constexpr int kLanes = 8;

// Σ a[k]·b[k] with kLanes partial sums (a fixed summation order, so results do not depend on the vector width).
inline float dot(const float* a, const float* b, int64_t n) {
  float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    for (int l = 0; l < kLanes; ++l) acc[l] += a[k + l] * b[k + l];
  }
  float s = 0;
  for (; k < n; ++k) s += a[k] * b[k];
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

// y[k] += d·x[k]
inline void axpy(float* y, const float* x, float d, int64_t n) {
  for (int64_t k = 0; k < n; ++k) y[k] += d * x[k];
}

// Output position (oh, ow)'s filter rows inside the input: f(filter row i, input row ih, first filter column j0,
// input column of j0, columns in the run). With dilationW = 1 the run's pixels are contiguous; otherwise one call
// per column (run length 1).
template <typename F>
inline void forEachRun(const ConvGeometry& g, int64_t oh, int64_t ow, F f) {
  const int64_t top = oh * g.strideH - g.padTop;
  const int64_t left = ow * g.strideW - g.padLeft;
  int64_t j0 = 0;
  int64_t j1 = g.kW;  // columns j0 ≤ j < j1 land inside (for dilationW = 1)
  if (g.dilationW == 1) {
    j0 = std::max<int64_t>(0, -left);
    j1 = std::min<int64_t>(g.kW, g.inW - left);
    if (j1 <= j0) return;
  }
  for (int64_t i = 0; i < g.kH; ++i) {
    const int64_t ih = top + i * g.dilationH;
    if (ih < 0 || ih >= g.inH) continue;
    if (g.dilationW == 1) {
      f(i, ih, j0, left + j0, j1 - j0);
      continue;
    }
    for (int64_t j = 0; j < g.kW; ++j) {
      const int64_t iw = left + j * g.dilationW;
      if (iw >= 0 && iw < g.inW) f(i, ih, j, iw, 1);
    }
  }
}

}  // namespace

__attribute__((target_clones("avx2", "default")))
void conv2dForwardOneOutput(const ConvGeometry& g, const float* x, const float* w, float* y) {
  const int64_t C = g.inC;
  for (int64_t b = 0; b < g.batch; ++b) {
    const float* image = x + b * g.inH * g.inW * C;
    for (int64_t oh = 0; oh < g.outH; ++oh) {
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        float s = 0;
        forEachRun(g, oh, ow, [&](int64_t i, int64_t ih, int64_t j, int64_t iw, int64_t n) {
          s += dot(image + (ih * g.inW + iw) * C, w + (i * g.kW + j) * C, n * C);
        });
        y[(b * g.outH + oh) * g.outW + ow] = s;
      }
    }
  }
}

__attribute__((target_clones("avx2", "default")))
void conv2dBackpropFilterOneOutput(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const int64_t C = g.inC;
  const int64_t size = g.kH * g.kW * C;
  // float sums over one output row, added into double totals row by row
  std::vector<float> row(size);
  std::vector<double> total(size, 0.0);
  for (int64_t b = 0; b < g.batch; ++b) {
    const float* image = x + b * g.inH * g.inW * C;
    for (int64_t oh = 0; oh < g.outH; ++oh) {
      std::fill(row.begin(), row.end(), 0.0f);
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        const float d = dy[(b * g.outH + oh) * g.outW + ow];
        if (d == 0) continue;
        forEachRun(g, oh, ow, [&](int64_t i, int64_t ih, int64_t j, int64_t iw, int64_t n) {
          axpy(row.data() + (i * g.kW + j) * C, image + (ih * g.inW + iw) * C, d, n * C);
        });
      }
      for (int64_t k = 0; k < size; ++k) total[k] += row[k];
    }
  }
  for (int64_t k = 0; k < size; ++k) dw[k] = static_cast<float>(total[k]);
}

void conv2dBackpropInputOneInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  // cols [N·OH·OW, taps] = dy [N·OH·OW, OC] · wᵀ (w as [taps, OC]) on oneDNN's matrix product, then each column
  // value added at the input pixel it came from: the convolution's adjoint, written out.
  const int64_t taps = g.kH * g.kW;
  const int64_t rows = g.batch * g.outH * g.outW;
  std::vector<float> cols(rows * taps);
  matMul(MatMulGeometry{1, 1, rows, g.outC, taps, false, true}, dy, w, cols.data());
  std::fill(dx, dx + g.inputSize(), 0.0f);
  for (int64_t b = 0; b < g.batch; ++b) {
    float* image = dx + b * g.inH * g.inW;
    for (int64_t oh = 0; oh < g.outH; ++oh) {
      for (int64_t ow = 0; ow < g.outW; ++ow) {
        const float* c = cols.data() + ((b * g.outH + oh) * g.outW + ow) * taps;
        forEachRun(g, oh, ow, [&](int64_t i, int64_t ih, int64_t j, int64_t iw, int64_t n) {
          float* out = image + ih * g.inW + iw;
          const float* v = c + i * g.kW + j;
          for (int64_t k = 0; k < n; ++k) out[k * g.dilationW] += v[k];
        });
      }
    }
  }
}

}  // namespace galmorph
