// 2-D convolutions in TensorFlow.js layouts (activations NHWC, filters HWIO) on oneDNN primitives:
// forward, gradient with respect to the input, gradient with respect to the filter.
#pragma once

#include <cstdint>

namespace galmorph {

struct ConvGeometry {
  int64_t batch, inH, inW, inC;
  int64_t kH, kW, outC;
  int64_t outH, outW;
  int64_t strideH, strideW;
  int64_t dilationH, dilationW;  // TensorFlow convention: 1 means no dilation
  int64_t padTop, padLeft, padBottom, padRight;

  int64_t inputSize() const { return batch * inH * inW * inC; }
  int64_t filterSize() const { return kH * kW * inC * outC; }
  int64_t outputSize() const { return batch * outH * outW * outC; }
};

// How activations are laid out inside a primitive. `Nhwc` (default) runs oneDNN's jit kernels on the NHWC tensors
// directly; `Blocked` lets oneDNN pick its blocked layout (nChw8c) and reorders activations around every call.
// Filters are always reordered into oneDNN's preferred blocked layout (they are small). Forcing HWIO filters too
// makes oneDNN fall back to im2col+GEMM, several times slower for the backward passes.
enum class ConvLayout { Nhwc, Blocked };

void setConvLayout(ConvLayout layout);

// y[N,OH,OW,OC] = conv(x[N,H,W,C], w[KH,KW,C,OC])
void conv2dForward(const ConvGeometry& g, const float* x, const float* w, float* y);
// dx[N,H,W,C] from dy[N,OH,OW,OC] and w
void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx);
// dw[KH,KW,C,OC] from x and dy
void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw);

}  // namespace galmorph
