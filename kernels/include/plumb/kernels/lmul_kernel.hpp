// plumb kernels: the interface every L-Mul kernel under test implements, and
// its registry (kernels/registry/lmul.inc and lmul_cuda.inc), read by the
// suites and `plumb` alike. docs/LMUL_SEMANTICS.md defines the operation.
//
// Operands are codes of args.format (host arrays, format.storage_bytes() each).
// elementwise: out[i] = L-Mul(a[i], b[i]), codes of the same format.
// dot:  *out = sum_i L-Mul(a[i], b[i]), each product read exactly as fp32
//       (every supported format fits), summed in fp32 in any order.
// gemm: C (m x n, row-major fp32) = A (m x k, row-major codes) L-Mul-times
//       B (k x n, row-major codes), each C[i][j] a dot as above.
// The accumulation bound every dot/GEMM kernel must meet (suites check it):
//   |got - S| <= gamma(k - 1) * sum_i |p_i|,  gamma(n) = n u / (1 - n u), u = 2^-24,
// S the exact sum of the exact products p_i (recursive summation in any order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/lmul.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels {

struct LmulArgs {
  FormatDesc format;
  LmulSpec spec;
};

using LmulElementwiseFn = KernelStatus (*)(const LmulArgs& args, const void* a, const void* b,
                                           void* out, size_t n, std::string* message);
using LmulDotFn = KernelStatus (*)(const LmulArgs& args, const void* a, const void* b, size_t n,
                                   float* out, std::string* message);
using LmulGemmFn = KernelStatus (*)(const LmulArgs& args, const void* a, const void* b, size_t m,
                                    size_t n, size_t k, float* c, std::string* message);

struct LmulKernel {
  const char* name;
  Device device;
  const char* description;
  LmulElementwiseFn elementwise;
  LmulDotFn dot;
  LmulGemmFn gemm;
  bool planted_bug;  // a deliberately wrong kernel that the suites must catch
};

const std::vector<LmulKernel>& lmul_kernels();
const LmulKernel* find_lmul_kernel(const std::string& name);

// The accumulation bound's gamma(n) for fp32 (u = 2^-24).
inline double lmul_gamma_fp32(size_t n) {
  const double nu = static_cast<double>(n) * 0x1p-24;
  return nu / (1 - nu);
}

}  // namespace plumb::kernels
