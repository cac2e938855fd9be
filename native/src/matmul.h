// Batched matrix product in TensorFlow.js's BatchMatMul convention on oneDNN's matmul primitive:
// c[b] = op(a[b]) · op(b[b]), op = optional transpose, a batch of 1 broadcasts over the other operand's batch.
#pragma once

#include <cstdint>

namespace galmorph {

struct MatMulGeometry {
  int64_t batchA, batchB;  // equal, or one of them 1
  int64_t m, k, n;         // c[b] is m×n, the contraction has length k
  bool transposeA, transposeB;  // a stored as [batchA, k, m] / b stored as [batchB, n, k]

  int64_t batch() const { return batchA > batchB ? batchA : batchB; }
};

void matMul(const MatMulGeometry& g, const float* a, const float* b, float* c);

}  // namespace galmorph
