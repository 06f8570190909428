// Declarations of the CUDA GEMM functions named in kernels/registry/gemm_cuda.inc
// (the CPU ones are in gemm_kernel.hpp). Each CUDA kernel has two: `fn` on
// host arrays (the suites) and `launch` on device arrays (the benchmarks).
#pragma once

#include "plumb/kernels/gemm_kernel.hpp"

#define PLUMB_DECLARE_GEMM_FN(fn) \
  KernelStatus fn(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message)
#define PLUMB_DECLARE_GEMM_LAUNCH(fn)                                                          \
  KernelStatus fn(const GemmArgs& device_args, float* c_f32, int32_t* c_i32, void* stream, \
                  std::string* message)

namespace plumb::kernels::cuda {
// One PLUMB_DECLARE_GEMM_FN and one PLUMB_DECLARE_GEMM_LAUNCH per line of
// gemm_cuda.inc, grouped by source file.
}  // namespace plumb::kernels::cuda
