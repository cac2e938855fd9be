#include "matmul.h"

#include <memory>
#include <unordered_map>

#include "context.h"

namespace galmorph {
namespace {

using dnnl::memory;

// Row-major [batch, rows, cols] stored either as is or transposed ([batch, cols, rows]).
memory::desc matrix(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  const memory::dims strides = transposed ? memory::dims{rows * cols, 1, rows} : memory::dims{rows * cols, cols, 1};
  return memory::desc({batch, rows, cols}, memory::data_type::f32, strides);
}

std::unique_ptr<Plan> buildPlan(const MatMulGeometry& g) {
  const memory::desc a = matrix(g.batchA, g.m, g.k, g.transposeA);
  const memory::desc b = matrix(g.batchB, g.k, g.n, g.transposeB);
  const memory::desc c = matrix(g.batch(), g.m, g.n, false);
  dnnl::matmul::desc desc(a, b, c);
  dnnl::matmul::primitive_desc pd(desc, planAttr(), cpuEngine());
  auto plan = std::make_unique<Plan>();
  plan->primitive = dnnl::matmul(pd);
  plan->args = {{DNNL_ARG_SRC, BoundArg(a, pd.src_desc(), false)},
                {DNNL_ARG_WEIGHTS, BoundArg(b, pd.weights_desc(), false)},
                {DNNL_ARG_DST, BoundArg(c, pd.dst_desc(), true)}};
  plan->scratchpad = memory(pd.scratchpad_desc(), cpuEngine());
  return plan;
}

}  // namespace

void matMul(const MatMulGeometry& g, const float* a, const float* b, float* c) {
  SmallProblemScope scope(2.0 * static_cast<double>(g.batch() * g.m) * static_cast<double>(g.k * g.n));
  thread_local std::unordered_map<std::string, std::unique_ptr<Plan>> cache;
  const std::string key = planKey("matmul", {g.batchA, g.batchB, g.m, g.k, g.n, g.transposeA, g.transposeB});
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, buildPlan(g)).first;
  found->second->run({const_cast<float*>(a), const_cast<float*>(b), c});
}

}  // namespace galmorph
