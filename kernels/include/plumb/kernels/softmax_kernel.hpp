// plumb kernels: the interface every softmax kernel under test implements, and
// its registry (kernels/registry/softmax.inc), read by suites, benches and
// `plumb` alike. Semantics and error bounds: docs/SOFTMAX_SEMANTICS.md.
//
// Data layout: in is rows x cols codes of in_format, row-major; out is rows x
// cols codes of out_format. Softmax is taken along each row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels {

enum class SoftmaxAlgorithm : uint8_t {
  three_pass_recompute,  // max; sum exp(x - max); exp(x - max) / sum, exp computed twice
  three_pass_reload,     // max; store exp(x - max) and sum it; scale the stored values
  two_pass,              // Dukhan & Ablavatski: sum of (mantissa, exponent) pairs, no max pass
  online,                // Milakov & Gimelshein: running max and rescaled sum, then normalise
};
const char* softmax_algorithm_name(SoftmaxAlgorithm a);

// What the error bound of SOFTMAX_SEMANTICS.md needs to know about a kernel.
struct SoftmaxErrorModel {
  SoftmaxAlgorithm algorithm;
  // Accumulators the sum is spread over; element i goes to lane i % lanes
  // (the online bound counts each lane's running-maximum increases).
  int lanes;
  // fp32 additions into one accumulator before it is added into an fp64
  // total; 0 when the sum is accumulated in fp64 throughout.
  int fp32_block;
};

using SoftmaxFn = KernelStatus (*)(const FormatDesc& in_format, const FormatDesc& out_format,
                                   const void* in, void* out, size_t rows, size_t cols,
                                   std::string* message);

struct SoftmaxKernel {
  const char* name;
  Device device;
  const char* description;
  SoftmaxFn fn;
  SoftmaxErrorModel model;
  bool safe;         // a row of all -inf gives +0 (SOFTMAX_SEMANTICS.md), not NaN
  bool planted_bug;  // a deliberately wrong kernel that the suites must catch
};

const std::vector<SoftmaxKernel>& softmax_kernels();
const SoftmaxKernel* find_softmax_kernel(const std::string& name);

}  // namespace plumb::kernels
