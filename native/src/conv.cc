#include "conv.h"

#include <memory>
#include <unordered_map>

#include "context.h"

namespace galmorph {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

ConvLayout currentLayout = ConvLayout::Nhwc;

enum class Pass { Forward, BackpropInput, BackpropFilter };

struct Descs {
  memory::desc srcUser, weiUser, dstUser;  // NHWC, HWIO, NHWC
  memory::desc srcPrim, weiPrim, dstPrim;  // what primitive creation may choose from (tag::any = its choice)
  memory::dims strides, dilations, padL, padR;
};

Descs describe(const ConvGeometry& g) {
  Descs d;
  const auto f32 = memory::data_type::f32;
  const memory::dims src{g.batch, g.inC, g.inH, g.inW};
  const memory::dims wei{g.outC, g.inC, g.kH, g.kW};
  const memory::dims dst{g.batch, g.outC, g.outH, g.outW};
  d.srcUser = memory::desc(src, f32, tag::nhwc);
  d.weiUser = memory::desc(wei, f32, tag::hwio);
  d.dstUser = memory::desc(dst, f32, tag::nhwc);
  const bool blocked = currentLayout == ConvLayout::Blocked;
  d.srcPrim = blocked ? memory::desc(src, f32, tag::any) : d.srcUser;
  d.weiPrim = memory::desc(wei, f32, tag::any);
  d.dstPrim = blocked ? memory::desc(dst, f32, tag::any) : d.dstUser;
  d.strides = {g.strideH, g.strideW};
  d.dilations = {g.dilationH - 1, g.dilationW - 1};
  d.padL = {g.padTop, g.padLeft};
  d.padR = {g.padBottom, g.padRight};
  return d;
}

dnnl::convolution_forward::primitive_desc forwardDesc(const Descs& d) {
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                       d.srcPrim, d.weiPrim, d.dstPrim, d.strides, d.dilations, d.padL, d.padR);
  return dnnl::convolution_forward::primitive_desc(desc, planAttr(), cpuEngine());
}

void finishPlan(Plan& plan, const dnnl::primitive_desc& pd) {
  plan.scratchpad = memory(pd.scratchpad_desc(), cpuEngine());
}

std::unique_ptr<Plan> buildPlan(Pass pass, const ConvGeometry& g) {
  const Descs d = describe(g);
  auto plan = std::make_unique<Plan>();
  const auto fwd = forwardDesc(d);
  switch (pass) {
    case Pass::Forward: {
      plan->primitive = dnnl::convolution_forward(fwd);
      plan->args = {{DNNL_ARG_SRC, BoundArg(d.srcUser, fwd.src_desc(), false)},
                    {DNNL_ARG_WEIGHTS, BoundArg(d.weiUser, fwd.weights_desc(), false)},
                    {DNNL_ARG_DST, BoundArg(d.dstUser, fwd.dst_desc(), true)}};
      finishPlan(*plan, fwd);
      break;
    }
    case Pass::BackpropInput: {
      dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, d.srcPrim, d.weiPrim,
                                                 d.dstPrim, d.strides, d.dilations, d.padL, d.padR);
      dnnl::convolution_backward_data::primitive_desc pd(desc, planAttr(), cpuEngine(), fwd);
      plan->primitive = dnnl::convolution_backward_data(pd);
      plan->args = {{DNNL_ARG_DIFF_DST, BoundArg(d.dstUser, pd.diff_dst_desc(), false)},
                    {DNNL_ARG_WEIGHTS, BoundArg(d.weiUser, pd.weights_desc(), false)},
                    {DNNL_ARG_DIFF_SRC, BoundArg(d.srcUser, pd.diff_src_desc(), true)}};
      finishPlan(*plan, pd);
      break;
    }
    case Pass::BackpropFilter: {
      dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.srcPrim, d.weiPrim,
                                                    d.dstPrim, d.strides, d.dilations, d.padL, d.padR);
      dnnl::convolution_backward_weights::primitive_desc pd(desc, planAttr(), cpuEngine(), fwd);
      plan->primitive = dnnl::convolution_backward_weights(pd);
      plan->args = {{DNNL_ARG_SRC, BoundArg(d.srcUser, pd.src_desc(), false)},
                    {DNNL_ARG_DIFF_DST, BoundArg(d.dstUser, pd.diff_dst_desc(), false)},
                    {DNNL_ARG_DIFF_WEIGHTS, BoundArg(d.weiUser, pd.diff_weights_desc(), true)}};
      finishPlan(*plan, pd);
      break;
    }
  }
  return plan;
}

Plan& planFor(Pass pass, const ConvGeometry& g) {
  thread_local std::unordered_map<std::string, std::unique_ptr<Plan>> cache;
  const std::string key = planKey("conv", {static_cast<int64_t>(pass), static_cast<int64_t>(currentLayout),
                                           g.batch, g.inH, g.inW, g.inC, g.kH, g.kW, g.outC, g.outH, g.outW,
                                           g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft,
                                           g.padBottom, g.padRight});
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;
  auto inserted = cache.emplace(key, buildPlan(pass, g));
  return *inserted.first->second;
}

}  // namespace

void setConvLayout(ConvLayout layout) { currentLayout = layout; }

static double flops(const ConvGeometry& g) {
  return 2.0 * static_cast<double>(g.outputSize()) * static_cast<double>(g.kH * g.kW * g.inC);
}

void conv2dForward(const ConvGeometry& g, const float* x, const float* w, float* y) {
  SmallProblemScope scope(flops(g));
  planFor(Pass::Forward, g).run({const_cast<float*>(x), const_cast<float*>(w), y});
}

void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  SmallProblemScope scope(flops(g));
  planFor(Pass::BackpropInput, g).run({const_cast<float*>(dy), const_cast<float*>(w), dx});
}

void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  SmallProblemScope scope(flops(g));
  planFor(Pass::BackpropFilter, g).run({const_cast<float*>(x), const_cast<float*>(dy), dw});
}

}  // namespace galmorph
