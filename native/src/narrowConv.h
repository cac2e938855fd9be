// Direct loops for the 2-D convolutions with ONE channel on one side, which oneDNN runs poorly (a 16 → 1 channel
// 3×3 convolution of 16 × 64 × 64 images takes as long through oneDNN as a 16 → 16 one, about 2 ms each way):
// - the forward and filter gradient of a convolution with one output channel (the ET-VAE decoder's last layer, the ET
//   readouts' 1-D convolutions);
// - the input gradient of a convolution with one input channel (the first layer of an image model, whose input
//   gradient the ET models need for the pose gradient).
// Layouts and geometry as in conv.h (NHWC activations, HWIO filters, TensorFlow padding and dilation conventions).
#pragma once

#include "conv.h"

namespace galmorph {

// y[N,OH,OW,1] = conv(x[N,H,W,C], w[KH,KW,C,1]); requires g.outC == 1
void conv2dForwardOneOutput(const ConvGeometry& g, const float* x, const float* w, float* y);
// dw[KH,KW,C,1] from x and dy[N,OH,OW,1] (double-precision sums); requires g.outC == 1
void conv2dBackpropFilterOneOutput(const ConvGeometry& g, const float* x, const float* dy, float* dw);
// dx[N,H,W,1] from dy[N,OH,OW,OC] and w[KH,KW,1,OC] (oneDNN's product dy·wᵀ, then a scatter); requires g.inC == 1
void conv2dBackpropInputOneInput(const ConvGeometry& g, const float* dy, const float* w, float* dx);

}  // namespace galmorph
