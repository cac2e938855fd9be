// Per-thread oneDNN state: the CPU engine and stream, the OpenMP thread count kernels run with, and the
// plumbing shared by every primitive plan (plain user buffers bound to possibly blocked primitive layouts).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace galmorph {

// Engine and stream of the calling thread (Node's main thread or a worker_thread each get their own).
dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

// OpenMP threads oneDNN uses for primitives executed from the calling thread.
void setThreads(int n);
int threads();

// Keeps a small problem on the calling thread for its scope: below `kSmallProblemFlops` the OpenMP fork/join
// costs more than it saves, and on a busy machine (a core taken by another process) a two-thread team waits a whole
// scheduler time slice for its second thread — measured 8–15 ms for a 0.2 ms product. Plans are keyed by the thread
// count, so a small problem gets its own single-thread plan.
class SmallProblemScope {
 public:
  explicit SmallProblemScope(double flops);
  ~SmallProblemScope();
  SmallProblemScope(const SmallProblemScope&) = delete;
  SmallProblemScope& operator=(const SmallProblemScope&) = delete;

 private:
  int saved_ = 0;
};

constexpr double kSmallProblemFlops = 16e6;

// One argument of a primitive: the caller's plain buffer layout and the layout the primitive chose. When they
// differ a reorder (cached with the plan) converts into a buffer owned by the plan.
class BoundArg {
 public:
  BoundArg() = default;
  BoundArg(const dnnl::memory::desc& user, const dnnl::memory::desc& chosen, bool isOutput);
  // Memory the primitive reads or writes for a call whose user data sits at `ptr`.
  dnnl::memory& prepare(void* ptr);
  // For an output whose layout differs: copy the primitive's result back to the user buffer.
  void finish();

 private:
  bool isOutput_ = false;
  bool needsReorder_ = false;
  dnnl::memory user_;
  dnnl::memory chosen_;
  dnnl::reorder reorder_;
};

// A primitive with its arguments bound and its own scratchpad: executing it is one call, no allocation.
struct Plan {
  dnnl::primitive primitive;
  std::vector<std::pair<int, BoundArg>> args;  // (DNNL_ARG_*, binding)
  dnnl::memory scratchpad;

  // Runs with user buffers given in the order of `args`.
  void run(const std::vector<void*>& buffers);
};

// Shape key for plan caches: the integers that define a primitive plus the thread count it was built for.
std::string planKey(const char* kind, const std::vector<int64_t>& values);

// Attributes every plan uses: user-managed scratchpad so a plan owns its working memory.
dnnl::primitive_attr planAttr();

}  // namespace galmorph
