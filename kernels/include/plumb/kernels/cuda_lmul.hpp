// cuda_lmul on device arrays (kernels/cuda/lmul/lmul_cuda.cu), for benchmarks:
// the registry's functions stage host arrays around the same launches. CUDA
// builds only.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "plumb/kernels/lmul_kernel.hpp"

namespace plumb::kernels::cuda {

// Enqueue into `stream` without waiting. Operands are codes of args.format
// (storage_bytes() each); cudaErrorInvalidValue for a format L-Mul does not take.
cudaError_t lmul_elementwise_launch(const LmulArgs& args, const void* d_a, const void* d_b, void* d_out,
                                    size_t n, cudaStream_t stream);
// C (m x n, fp32) = A (m x k) L-Mul B (k x n), as LmulGemmFn.
cudaError_t lmul_gemm_launch(const LmulArgs& args, const void* d_a, const void* d_b, size_t m, size_t n,
                             size_t k, float* d_c, cudaStream_t stream);

}  // namespace plumb::kernels::cuda
