// plumb repro on the GPU: plumb's own kernels (repro_cuda_kernels.cu). Device
// pointers; rows are contiguous, K values each; bf16 values as raw uint16.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace plumb::harness::repro {

// sum (w null) or dot of each row. default: blocks_per_row blocks per row,
// each summing a contiguous chunk, the partials added into y with atomicAdd
// (y must be zeroed; the order of the adds is the hardware's). invariant: one
// block per row, thread t sums elements t, t + 256, ... in order, a fixed tree.
void launch_reduce_default(const float* x, const float* w, float* y, size_t rows, size_t k, size_t blocks_per_row,
                           cudaStream_t stream);
void launch_reduce_invariant(const float* x, const float* w, float* y, size_t rows, size_t k, cudaStream_t stream);

// y (m x n, fp32) = x (m x k) w^T (w: n x k): one 64 x 64 output tile per
// block, each output a single fp32 FMA chain over k = 0 .. K-1: the order
// depends on nothing but K, so every row's result is the same in any batch.
void launch_gemm_invariant_fp32(const float* x, const float* w, float* y, size_t m, size_t n, size_t k,
                                cudaStream_t stream);
void launch_gemm_invariant_bf16(const uint16_t* x, const uint16_t* w, float* y, size_t m, size_t n, size_t k,
                                cudaStream_t stream);

}  // namespace plumb::harness::repro
