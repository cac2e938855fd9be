// Node-API surface of the addon: checks arguments, maps Float32Array views (zero-copy: the wasm backend's heap)
// onto the kernels, and turns oneDNN failures into JavaScript errors.
#include <malloc.h>
#include <napi.h>

#include <string>

#include "batchnorm.h"
#include "context.h"
#include "decoder.h"
#include "conv.h"
#include "matmul.h"
#include "narrowConv.h"
#include "sampler.h"

namespace {

using galmorph::BatchNormGeometry;
using galmorph::ConvGeometry;
using galmorph::MatMulGeometry;
using galmorph::SamplerGeometry;
using galmorph::UpsampleGeometry;

float* floatData(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t expected) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Float32Array");
  }
  auto array = value.As<Napi::Float32Array>();
  if (static_cast<int64_t>(array.ElementLength()) != expected) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " has " + std::to_string(array.ElementLength()) +
                                                " elements, the geometry needs " + std::to_string(expected));
  }
  return array.Data();
}

std::vector<int64_t> integers(const Napi::CallbackInfo& info, size_t index, size_t count, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsArray() || value.As<Napi::Array>().Length() != count) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an array of " + std::to_string(count) +
                                               " integers");
  }
  auto array = value.As<Napi::Array>();
  std::vector<int64_t> out(count);
  for (uint32_t i = 0; i < count; ++i) {
    const Napi::Value item = array.Get(i);
    if (!item.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must hold numbers only");
    out[i] = item.As<Napi::Number>().Int64Value();
  }
  return out;
}

ConvGeometry convGeometry(const Napi::CallbackInfo& info, size_t index) {
  const auto v = integers(info, index, 17, "geometry");
  for (int i = 0; i < 13; ++i) {
    if (v[i] < 1) throw Napi::RangeError::New(info.Env(), "geometry: sizes, strides and dilations must be >= 1");
  }
  return ConvGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                      v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16]};
}

template <typename Fn>
Napi::Value guarded(const Napi::CallbackInfo& info, Fn fn) {
  try {
    fn();
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  }
  return info.Env().Undefined();
}

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  const ConvGeometry g = convGeometry(info, 3);
  const float* x = floatData(info, 0, "x", g.inputSize());
  const float* w = floatData(info, 1, "filter", g.filterSize());
  float* y = floatData(info, 2, "y", g.outputSize());
  return guarded(info, [&] { galmorph::conv2dForward(g, x, w, y); });
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  const ConvGeometry g = convGeometry(info, 3);
  const float* dy = floatData(info, 0, "dy", g.outputSize());
  const float* w = floatData(info, 1, "filter", g.filterSize());
  float* dx = floatData(info, 2, "dx", g.inputSize());
  return guarded(info, [&] { galmorph::conv2dBackpropInput(g, dy, w, dx); });
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  const ConvGeometry g = convGeometry(info, 3);
  const float* x = floatData(info, 0, "x", g.inputSize());
  const float* dy = floatData(info, 1, "dy", g.outputSize());
  float* dw = floatData(info, 2, "dw", g.filterSize());
  return guarded(info, [&] { galmorph::conv2dBackpropFilter(g, x, dy, dw); });
}

// conv2dOneOutput(x, filter, y, geometry): the forward of a convolution with one output channel (narrowConv.h)
Napi::Value Conv2dOneOutput(const Napi::CallbackInfo& info) {
  const ConvGeometry g = convGeometry(info, 3);
  if (g.outC != 1) throw Napi::RangeError::New(info.Env(), "geometry: conv2dOneOutput needs one output channel");
  const float* x = floatData(info, 0, "x", g.inputSize());
  const float* w = floatData(info, 1, "filter", g.filterSize());
  float* y = floatData(info, 2, "y", g.outputSize());
  galmorph::conv2dForwardOneOutput(g, x, w, y);
  return info.Env().Undefined();
}

// conv2dBackpropFilterOneOutput(x, dy, dw, geometry)
Napi::Value Conv2dBackpropFilterOneOutput(const Napi::CallbackInfo& info) {
  const ConvGeometry g = convGeometry(info, 3);
  if (g.outC != 1) throw Napi::RangeError::New(info.Env(), "geometry: conv2dBackpropFilterOneOutput needs one output channel");
  const float* x = floatData(info, 0, "x", g.inputSize());
  const float* dy = floatData(info, 1, "dy", g.outputSize());
  float* dw = floatData(info, 2, "dw", g.filterSize());
  galmorph::conv2dBackpropFilterOneOutput(g, x, dy, dw);
  return info.Env().Undefined();
}

// conv2dBackpropInputOneInput(dy, filter, dx, geometry) (runs oneDNN's matrix product)
Napi::Value Conv2dBackpropInputOneInput(const Napi::CallbackInfo& info) {
  const ConvGeometry g = convGeometry(info, 3);
  if (g.inC != 1) throw Napi::RangeError::New(info.Env(), "geometry: conv2dBackpropInputOneInput needs one input channel");
  const float* dy = floatData(info, 0, "dy", g.outputSize());
  const float* w = floatData(info, 1, "filter", g.filterSize());
  float* dx = floatData(info, 2, "dx", g.inputSize());
  return guarded(info, [&] { galmorph::conv2dBackpropInputOneInput(g, dy, w, dx); });
}

Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const auto v = integers(info, 3, 7, "geometry");
  const MatMulGeometry g{v[0], v[1], v[2], v[3], v[4], v[5] != 0, v[6] != 0};
  if (g.batchA < 1 || g.batchB < 1 || g.m < 1 || g.k < 1 || g.n < 1 ||
      (g.batchA != g.batchB && g.batchA != 1 && g.batchB != 1)) {
    throw Napi::RangeError::New(info.Env(), "geometry: sizes must be >= 1 and batches equal or one of them 1");
  }
  const float* a = floatData(info, 0, "a", g.batchA * g.m * g.k);
  const float* b = floatData(info, 1, "b", g.batchB * g.k * g.n);
  float* c = floatData(info, 2, "c", g.batch() * g.m * g.n);
  return guarded(info, [&] { galmorph::matMul(g, a, b, c); });
}

SamplerGeometry samplerGeometry(const Napi::CallbackInfo& info, size_t index) {
  const auto v = integers(info, index, 7, "geometry");
  const SamplerGeometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
  if (g.batch < 1 || g.height < 2 || g.width < 2 || g.channels < 1 || g.outHeight < 1 || g.outWidth < 1 ||
      (g.gridBatch != 1 && g.gridBatch != g.batch)) {
    throw Napi::RangeError::New(info.Env(),
                                "geometry: sizes must be >= 1, the image at least 2x2 and the grid batch 1 or the "
                                "image batch");
  }
  return g;
}

Napi::Value BilinearSample(const Napi::CallbackInfo& info) {
  const SamplerGeometry g = samplerGeometry(info, 3);
  const float* image = floatData(info, 0, "image", g.imageSize());
  const float* grid = floatData(info, 1, "grid", g.gridSize());
  float* out = floatData(info, 2, "out", g.outputSize());
  galmorph::bilinearSample(g, image, grid, out);
  return info.Env().Undefined();
}

Napi::Value BilinearSampleGradGrid(const Napi::CallbackInfo& info) {
  const SamplerGeometry g = samplerGeometry(info, 4);
  const float* dy = floatData(info, 0, "dy", g.outputSize());
  const float* image = floatData(info, 1, "image", g.imageSize());
  const float* grid = floatData(info, 2, "grid", g.gridSize());
  float* dGrid = floatData(info, 3, "dGrid", g.gridSize());
  galmorph::bilinearSampleGradGrid(g, dy, image, grid, dGrid);
  return info.Env().Undefined();
}

Napi::Value BilinearSampleGradImage(const Napi::CallbackInfo& info) {
  const SamplerGeometry g = samplerGeometry(info, 3);
  const float* dy = floatData(info, 0, "dy", g.outputSize());
  const float* grid = floatData(info, 1, "grid", g.gridSize());
  float* dImage = floatData(info, 2, "dImage", g.imageSize());
  galmorph::bilinearSampleGradImage(g, dy, grid, dImage);
  return info.Env().Undefined();
}

BatchNormGeometry batchNormGeometry(const Napi::CallbackInfo& info, size_t index) {
  const auto v = integers(info, index, 2, "geometry");
  if (v[0] < 1 || v[1] < 1) throw Napi::RangeError::New(info.Env(), "geometry: rows and channels must be >= 1");
  return BatchNormGeometry{v[0], v[1]};
}

double numberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[index].As<Napi::Number>().DoubleValue();
}

// batchNormTrain(x, scale, offset, y, mean, variance, [rows, channels], epsilon, alpha)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  const BatchNormGeometry g = batchNormGeometry(info, 6);
  const double epsilon = numberArg(info, 7, "epsilon");
  const double alpha = numberArg(info, 8, "alpha");
  const float* x = floatData(info, 0, "x", g.size());
  const float* scale = floatData(info, 1, "scale", g.channels);
  const float* offset = floatData(info, 2, "offset", g.channels);
  float* y = floatData(info, 3, "y", g.size());
  float* mean = floatData(info, 4, "mean", g.channels);
  float* variance = floatData(info, 5, "variance", g.channels);
  galmorph::batchNormTrainForward(g, x, scale, offset, epsilon, alpha, y, mean, variance);
  return info.Env().Undefined();
}

// batchNormTrainGrad(dy, dMean, dVariance, x, y, scale, mean, variance, dx, dScale, dOffset, [rows, channels],
//                    epsilon, alpha)
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  const BatchNormGeometry g = batchNormGeometry(info, 11);
  const double epsilon = numberArg(info, 12, "epsilon");
  const double alpha = numberArg(info, 13, "alpha");
  const float* dy = floatData(info, 0, "dy", g.size());
  const float* dMean = floatData(info, 1, "dMean", g.channels);
  const float* dVariance = floatData(info, 2, "dVariance", g.channels);
  const float* x = floatData(info, 3, "x", g.size());
  const float* y = floatData(info, 4, "y", g.size());
  const float* scale = floatData(info, 5, "scale", g.channels);
  const float* mean = floatData(info, 6, "mean", g.channels);
  const float* variance = floatData(info, 7, "variance", g.channels);
  float* dx = floatData(info, 8, "dx", g.size());
  float* dScale = floatData(info, 9, "dScale", g.channels);
  float* dOffset = floatData(info, 10, "dOffset", g.channels);
  galmorph::batchNormTrainBackward(g, dy, dMean, dVariance, x, y, scale, mean, variance, epsilon, alpha, dx, dScale,
                                   dOffset);
  return info.Env().Undefined();
}

UpsampleGeometry upsampleGeometry(const Napi::CallbackInfo& info, size_t index) {
  const auto v = integers(info, index, 6, "geometry");
  for (int i = 0; i < 6; ++i) {
    if (v[i] < 1) throw Napi::RangeError::New(info.Env(), "geometry: sizes and factors must be >= 1");
  }
  return UpsampleGeometry{v[0], v[1], v[2], v[3], v[4], v[5]};
}

// upsampleNearest(x, y, [batch, height, width, channels, factorH, factorW])
Napi::Value UpsampleNearest(const Napi::CallbackInfo& info) {
  const UpsampleGeometry g = upsampleGeometry(info, 2);
  const float* x = floatData(info, 0, "x", g.inputSize());
  float* y = floatData(info, 1, "y", g.outputSize());
  galmorph::upsampleNearest(g, x, y);
  return info.Env().Undefined();
}

// upsampleNearestGrad(dy, dx, geometry of the forward)
Napi::Value UpsampleNearestGrad(const Napi::CallbackInfo& info) {
  const UpsampleGeometry g = upsampleGeometry(info, 2);
  const float* dy = floatData(info, 0, "dy", g.outputSize());
  float* dx = floatData(info, 1, "dx", g.inputSize());
  galmorph::upsampleNearestGrad(g, dy, dx);
  return info.Env().Undefined();
}

double clipArg(const Napi::CallbackInfo& info, size_t index) {
  const double clip = numberArg(info, index, "clip");
  if (!(clip > 0 && clip < 0.5)) throw Napi::RangeError::New(info.Env(), "clip must be in (0, 0.5)");
  return clip;
}

// bernoulliProbLogLik(target, p, out, [batch, pixels], clip)
Napi::Value BernoulliProbLogLik(const Napi::CallbackInfo& info) {
  const auto v = integers(info, 3, 2, "geometry");
  if (v[0] < 1 || v[1] < 1) throw Napi::RangeError::New(info.Env(), "geometry: batch and pixels must be >= 1");
  const double clip = clipArg(info, 4);
  const float* target = floatData(info, 0, "target", v[0] * v[1]);
  const float* p = floatData(info, 1, "probabilities", v[0] * v[1]);
  float* out = floatData(info, 2, "out", v[0]);
  galmorph::bernoulliProbLogLik(v[0], v[1], clip, target, p, out);
  return info.Env().Undefined();
}

// bernoulliProbLogLikGrad(dy, target, p, dp, [batch, pixels], clip)
Napi::Value BernoulliProbLogLikGrad(const Napi::CallbackInfo& info) {
  const auto v = integers(info, 4, 2, "geometry");
  if (v[0] < 1 || v[1] < 1) throw Napi::RangeError::New(info.Env(), "geometry: batch and pixels must be >= 1");
  const double clip = clipArg(info, 5);
  const float* dy = floatData(info, 0, "dy", v[0]);
  const float* target = floatData(info, 1, "target", v[0] * v[1]);
  const float* p = floatData(info, 2, "probabilities", v[0] * v[1]);
  float* dp = floatData(info, 3, "dProbabilities", v[0] * v[1]);
  galmorph::bernoulliProbLogLikGrad(v[0], v[1], clip, dy, target, p, dp);
  return info.Env().Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
    throw Napi::RangeError::New(info.Env(), "threads must be an integer >= 1");
  }
  galmorph::setThreads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), galmorph::threads()); }

Napi::Value SetConvLayout(const Napi::CallbackInfo& info) {
  const std::string layout = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (layout != "nhwc" && layout != "blocked") {
    throw Napi::TypeError::New(info.Env(), "layout must be \"nhwc\" or \"blocked\"");
  }
  galmorph::setConvLayout(layout == "nhwc" ? galmorph::ConvLayout::Nhwc : galmorph::ConvLayout::Blocked);
  return info.Env().Undefined();
}

// Keeps freed heap memory mapped: glibc otherwise returns the large buffers of every training step (tensor data,
// gradients, oneDNN scratch) to the kernel with munmap/trim and faults them back in at the next step, which cost
// about a quarter of a galmorph training step on this project's machine (README "Backends and speed").
// Buffers up to 32 MiB (glibc's largest mmap threshold) come from the heap, and the heap is not trimmed below 1 GiB
// of free memory. Process-wide, so calling it once from any thread suffices; true when glibc accepted both.
Napi::Value KeepHeapMapped(const Napi::CallbackInfo& info) {
  const bool mmap = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  const bool trim = mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1;
  return Napi::Boolean::New(info.Env(), mmap && trim);
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                                           std::to_string(v->patch));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("conv2dOneOutput", Napi::Function::New(env, Conv2dOneOutput));
  exports.Set("conv2dBackpropFilterOneOutput", Napi::Function::New(env, Conv2dBackpropFilterOneOutput));
  exports.Set("conv2dBackpropInputOneInput", Napi::Function::New(env, Conv2dBackpropInputOneInput));
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("bilinearSample", Napi::Function::New(env, BilinearSample));
  exports.Set("bilinearSampleGradGrid", Napi::Function::New(env, BilinearSampleGradGrid));
  exports.Set("bilinearSampleGradImage", Napi::Function::New(env, BilinearSampleGradImage));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("upsampleNearest", Napi::Function::New(env, UpsampleNearest));
  exports.Set("upsampleNearestGrad", Napi::Function::New(env, UpsampleNearestGrad));
  exports.Set("bernoulliProbLogLik", Napi::Function::New(env, BernoulliProbLogLik));
  exports.Set("bernoulliProbLogLikGrad", Napi::Function::New(env, BernoulliProbLogLikGrad));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("setConvLayout", Napi::Function::New(env, SetConvLayout));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("keepHeapMapped", Napi::Function::New(env, KeepHeapMapped));
  return exports;
}

}  // namespace

NODE_API_MODULE(galmorph_native, Init)
