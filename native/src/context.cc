#include "context.h"

#include <omp.h>

#include <unordered_map>

namespace galmorph {

dnnl::engine& cpuEngine() {
  thread_local dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

void setThreads(int n) { omp_set_num_threads(n); }

int threads() { return omp_get_max_threads(); }

SmallProblemScope::SmallProblemScope(double flops) {
  if (flops < kSmallProblemFlops && threads() > 1) {
    saved_ = threads();
    setThreads(1);
  }
}

SmallProblemScope::~SmallProblemScope() {
  if (saved_ > 0) setThreads(saved_);
}

BoundArg::BoundArg(const dnnl::memory::desc& user, const dnnl::memory::desc& chosen, bool isOutput)
    : isOutput_(isOutput), needsReorder_(user != chosen) {
  user_ = dnnl::memory(user, cpuEngine(), DNNL_MEMORY_NONE);
  if (needsReorder_) {
    chosen_ = dnnl::memory(chosen, cpuEngine());
    reorder_ = isOutput ? dnnl::reorder(chosen_, user_) : dnnl::reorder(user_, chosen_);
  }
}

dnnl::memory& BoundArg::prepare(void* ptr) {
  user_.set_data_handle(ptr);
  if (!needsReorder_) return user_;
  if (!isOutput_) reorder_.execute(cpuStream(), user_, chosen_);
  return chosen_;
}

void BoundArg::finish() {
  if (needsReorder_ && isOutput_) reorder_.execute(cpuStream(), chosen_, user_);
}

void Plan::run(const std::vector<void*>& buffers) {
  std::unordered_map<int, dnnl::memory> exec;
  for (size_t i = 0; i < args.size(); ++i) exec.emplace(args[i].first, args[i].second.prepare(buffers[i]));
  exec.emplace(DNNL_ARG_SCRATCHPAD, scratchpad);
  primitive.execute(cpuStream(), exec);
  for (auto& arg : args) arg.second.finish();
  cpuStream().wait();
}

std::string planKey(const char* kind, const std::vector<int64_t>& values) {
  std::string key(kind);
  for (int64_t v : values) {
    key += ',';
    key += std::to_string(v);
  }
  key += "|t" + std::to_string(threads());
  return key;
}

dnnl::primitive_attr planAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

}  // namespace galmorph
