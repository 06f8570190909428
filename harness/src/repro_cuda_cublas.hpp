// plumb repro on the GPU: the vendor GEMM under a configuration's cuBLAS
// recipe, workspace and atomics mode (repro_cuda_cublas.cpp).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "repro_types.hpp"

namespace plumb::harness::repro {

// y (m x n, fp32, row-major) = x (m x k) w^T (w: n x k, row-major), inputs
// fp32 or bf16 (raw uint16), fp32 compute, on `stream`. cfg.recipe picks the
// path: cublasGemmEx on a handle made under the recipe's environment (one
// handle per recipe, workspace setting and stream slot, made once and kept),
// or cublasLtMatmul with a 1-byte workspace limit and the first heuristic
// result with split-K 1 and no reduction scheme. cfg.workspace and
// cfg.atomics apply to the cublasGemmEx paths.
void cublas_gemm(const void* x, const void* w, float* y, size_t m, size_t n, size_t k, Dtype dtype,
                 const ExecConfig& cfg, size_t stream_slot, cudaStream_t stream);

}  // namespace plumb::harness::repro
