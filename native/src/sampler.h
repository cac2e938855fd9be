// galmorph's bilinear sampler (src/backend/bilinearSampler.ts has the same loops in TypeScript and the conventions):
// image [B, H, W, C] sampled at grid [G, Ho, Wo, 2] of normalised (x, y) points, G = 1 (shared) or B; zeros outside
// the image; column = (x + 1)/2 · (W − 1), row = (y + 1)/2 · (H − 1). A non-finite coordinate samples NaN.
#pragma once

#include <cstdint>

namespace galmorph {

struct SamplerGeometry {
  int64_t batch, height, width, channels;
  int64_t gridBatch;  // 1 or batch
  int64_t outHeight, outWidth;

  int64_t imageSize() const { return batch * height * width * channels; }
  int64_t gridSize() const { return gridBatch * outHeight * outWidth * 2; }
  int64_t outputSize() const { return batch * outHeight * outWidth * channels; }
};

// out[B, Ho, Wo, C]
void bilinearSample(const SamplerGeometry& g, const float* image, const float* grid, float* out);
// dGrid[G, Ho, Wo, 2] = ∂(Σ dy · out)/∂grid (summed over the images when G = 1)
void bilinearSampleGradGrid(const SamplerGeometry& g, const float* dy, const float* image, const float* grid,
                            float* dGrid);
// dImage[B, H, W, C] = ∂(Σ dy · out)/∂image
void bilinearSampleGradImage(const SamplerGeometry& g, const float* dy, const float* grid, float* dImage);

}  // namespace galmorph
