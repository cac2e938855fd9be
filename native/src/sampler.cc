// Plain loops (no oneDNN primitive exists for grid sampling). Work per call is small (about ten flops per sampled
// value), so only very large calls use the OpenMP team: below that the fork/join costs more than it saves.
#include "sampler.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace galmorph {
namespace {

constexpr int64_t kParallelValues = int64_t{1} << 22;

// One sample point: its cell, fractional position and which of the four corners lie inside the image.
struct Cell {
  bool any;     // some corner inside (false also for a non-finite coordinate)
  bool finite;  // both coordinates finite
  double fx, fy;
  bool inX0, inX1, inY0, inY1;
  int64_t corner;  // flat offset of (x0, y0) in the image (may lie outside when that corner does)
};

// The pixel position in float32, rounded as the composite tfjs sampler rounds it ((x + 1), then × (W − 1)/2), so both
// choose the same cell for a point on a cell boundary (where the grid gradient is one-sided).
inline Cell cellOf(const SamplerGeometry& g, const float* grid, int64_t gi, int64_t imageBase) {
  const float halfW = static_cast<float>(static_cast<double>(g.width - 1) / 2.0);
  const float halfH = static_cast<float>(static_cast<double>(g.height - 1) / 2.0);
  const float sumX = grid[gi] + 1.0f;
  const float sumY = grid[gi + 1] + 1.0f;
  const double px = static_cast<float>(sumX * halfW);
  const double py = static_cast<float>(sumY * halfH);
  Cell c{};
  c.finite = std::isfinite(px) && std::isfinite(py);
  if (!c.finite) return c;
  const double fx0 = std::floor(px);
  const double fy0 = std::floor(py);
  if (!(fx0 >= -1 && fx0 < static_cast<double>(g.width) && fy0 >= -1 && fy0 < static_cast<double>(g.height))) return c;
  const int64_t x0 = static_cast<int64_t>(fx0);
  const int64_t y0 = static_cast<int64_t>(fy0);
  c.any = true;
  c.fx = px - fx0;
  c.fy = py - fy0;
  c.inX0 = x0 >= 0;
  c.inX1 = x0 + 1 < g.width;
  c.inY0 = y0 >= 0;
  c.inY1 = y0 + 1 < g.height;
  c.corner = imageBase + (y0 * g.width + x0) * g.channels;
  return c;
}

}  // namespace

void bilinearSample(const SamplerGeometry& g, const float* image, const float* grid, float* out) {
  const int64_t points = g.outHeight * g.outWidth;
  const int64_t C = g.channels;
  const int64_t row = g.width * C;
  const float nan = std::numeric_limits<float>::quiet_NaN();
#pragma omp parallel for schedule(static) if (g.outputSize() >= kParallelValues)
  for (int64_t b = 0; b < g.batch; ++b) {
    const int64_t gridBase = g.gridBatch == 1 ? 0 : b * points * 2;
    const int64_t imageBase = b * g.height * row;
    for (int64_t p = 0; p < points; ++p) {
      const Cell c = cellOf(g, grid, gridBase + 2 * p, imageBase);
      float* o = out + (b * points + p) * C;
      if (!c.any) {
        for (int64_t k = 0; k < C; ++k) o[k] = c.finite ? 0.0f : nan;
        continue;
      }
      const double w00 = (1 - c.fx) * (1 - c.fy), w10 = c.fx * (1 - c.fy);
      const double w01 = (1 - c.fx) * c.fy, w11 = c.fx * c.fy;
      const float* a = image + c.corner;
      for (int64_t k = 0; k < C; ++k) {
        double s = 0;
        if (c.inY0) {
          if (c.inX0) s += w00 * a[k];
          if (c.inX1) s += w10 * a[C + k];
        }
        if (c.inY1) {
          if (c.inX0) s += w01 * a[row + k];
          if (c.inX1) s += w11 * a[row + C + k];
        }
        o[k] = static_cast<float>(s);
      }
    }
  }
}

void bilinearSampleGradGrid(const SamplerGeometry& g, const float* dy, const float* image, const float* grid,
                            float* dGrid) {
  const int64_t points = g.outHeight * g.outWidth;
  const int64_t C = g.channels;
  const int64_t row = g.width * C;
  const double sx = static_cast<double>(g.width - 1) / 2.0;
  const double sy = static_cast<double>(g.height - 1) / 2.0;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Each grid point's gradient is owned by one iteration of the parallel loop: over points, images inside.
#pragma omp parallel for schedule(static) if (g.outputSize() >= kParallelValues)
  for (int64_t p = 0; p < points; ++p) {
    for (int64_t gb = 0; gb < g.gridBatch; ++gb) {
      const int64_t gi = (gb * points + p) * 2;
      double gx = 0, gy = 0;
      bool finite = true;
      const int64_t first = g.gridBatch == 1 ? 0 : gb;
      const int64_t last = g.gridBatch == 1 ? g.batch : gb + 1;
      for (int64_t b = first; b < last; ++b) {
        const Cell c = cellOf(g, grid, gi, b * g.height * row);
        if (!c.finite) finite = false;
        if (!c.any) continue;
        const float* a = image + c.corner;
        const float* d = dy + (b * points + p) * C;
        for (int64_t k = 0; k < C; ++k) {
          const double v00 = c.inY0 && c.inX0 ? a[k] : 0.0;
          const double v10 = c.inY0 && c.inX1 ? a[C + k] : 0.0;
          const double v01 = c.inY1 && c.inX0 ? a[row + k] : 0.0;
          const double v11 = c.inY1 && c.inX1 ? a[row + C + k] : 0.0;
          gx += d[k] * ((1 - c.fy) * (v10 - v00) + c.fy * (v11 - v01));
          gy += d[k] * ((1 - c.fx) * (v01 - v00) + c.fx * (v11 - v10));
        }
      }
      dGrid[gi] = finite ? static_cast<float>(gx * sx) : nan;
      dGrid[gi + 1] = finite ? static_cast<float>(gy * sy) : nan;
    }
  }
}

void bilinearSampleGradImage(const SamplerGeometry& g, const float* dy, const float* grid, float* dImage) {
  const int64_t points = g.outHeight * g.outWidth;
  const int64_t C = g.channels;
  const int64_t row = g.width * C;
  std::memset(dImage, 0, sizeof(float) * static_cast<size_t>(g.imageSize()));
  // Each image's gradient is written by one iteration of the parallel loop (its own grid points scatter into it).
#pragma omp parallel for schedule(static) if (g.outputSize() >= kParallelValues)
  for (int64_t b = 0; b < g.batch; ++b) {
    const int64_t gridBase = g.gridBatch == 1 ? 0 : b * points * 2;
    const int64_t imageBase = b * g.height * row;
    for (int64_t p = 0; p < points; ++p) {
      const Cell c = cellOf(g, grid, gridBase + 2 * p, imageBase);
      if (!c.any) continue;
      const double w00 = (1 - c.fx) * (1 - c.fy), w10 = c.fx * (1 - c.fy);
      const double w01 = (1 - c.fx) * c.fy, w11 = c.fx * c.fy;
      float* a = dImage + c.corner;
      const float* d = dy + (b * points + p) * C;
      for (int64_t k = 0; k < C; ++k) {
        if (c.inY0) {
          if (c.inX0) a[k] += static_cast<float>(w00 * d[k]);
          if (c.inX1) a[C + k] += static_cast<float>(w10 * d[k]);
        }
        if (c.inY1) {
          if (c.inX0) a[row + k] += static_cast<float>(w01 * d[k]);
          if (c.inX1) a[row + C + k] += static_cast<float>(w11 * d[k]);
        }
      }
    }
  }
}

}  // namespace galmorph
