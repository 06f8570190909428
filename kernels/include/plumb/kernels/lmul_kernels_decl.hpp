// Declarations of every L-Mul function named in the registry
// (kernels/registry/lmul.inc and lmul_cuda.inc).
#pragma once

#include "plumb/kernels/lmul_kernel.hpp"

#define PLUMB_DECLARE_LMUL_ELEMENTWISE_FN(fn)                                             \
  KernelStatus fn(const LmulArgs& args, const void* a, const void* b, void* out, size_t n, \
                  std::string* message)
#define PLUMB_DECLARE_LMUL_DOT_FN(fn)                                                    \
  KernelStatus fn(const LmulArgs& args, const void* a, const void* b, size_t n, float* out, \
                  std::string* message)
#define PLUMB_DECLARE_LMUL_GEMM_FN(fn)                                                   \
  KernelStatus fn(const LmulArgs& args, const void* a, const void* b, size_t m, size_t n, \
                  size_t k, float* c, std::string* message)

namespace plumb::kernels::cpu {
PLUMB_DECLARE_LMUL_ELEMENTWISE_FN(lmul_elementwise);
PLUMB_DECLARE_LMUL_DOT_FN(lmul_dot);
PLUMB_DECLARE_LMUL_GEMM_FN(lmul_gemm);
PLUMB_DECLARE_LMUL_ELEMENTWISE_FN(lmul_planted_no_offset_elementwise);
PLUMB_DECLARE_LMUL_DOT_FN(lmul_planted_no_offset_dot);
PLUMB_DECLARE_LMUL_GEMM_FN(lmul_planted_no_offset_gemm);
}  // namespace plumb::kernels::cpu

namespace plumb::kernels::cuda {
PLUMB_DECLARE_LMUL_ELEMENTWISE_FN(lmul_elementwise);
PLUMB_DECLARE_LMUL_DOT_FN(lmul_dot);
PLUMB_DECLARE_LMUL_GEMM_FN(lmul_gemm);
}  // namespace plumb::kernels::cuda
