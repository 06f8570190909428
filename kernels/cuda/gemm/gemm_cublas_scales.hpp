// cuda kernels: scale tensors re-laid on the device from plumb's row-major
// grids into the layouts cuBLASLt's scale modes require, and NVFP4 element
// packing (docs/GEMM_SEMANTICS.md "Vendor kernels"). Each enqueues one small
// kernel on `stream` and returns without waiting.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::kernels::cuda::cublas {

// *a_dst = a, *b_dst = b (per-tensor fp8 scales as device values; give each
// its own 16-byte aligned slot: cublasLtMatmul refused a scale pointer 4
// bytes past another on the H100, CUBLAS_STATUS_NOT_SUPPORTED).
KernelStatus set_scale_pair(float* a_dst, float* b_dst, float a, float b, cudaStream_t stream,
                            std::string* message);

// VEC128_32F for plumb's A (cuBLAS's B): src rows x kb row-major (one fp32
// per 1 x 128 block) -> dst[kb][padded_rows], rows contiguous; rows past
// `rows` get 1.
KernelStatus vec128_scales(const float* src, size_t rows, size_t kb, size_t padded_rows, float* dst,
                           cudaStream_t stream, std::string* message);

// BLK128x128_32F for plumb's B (cuBLAS's A): src row_blocks x kb row-major ->
// dst[row_blocks][round_up(kb, 4)], K blocks contiguous; padding gets 1.
KernelStatus blk128_scales(const float* src, size_t row_blocks, size_t kb, float* dst, cudaStream_t stream,
                           std::string* message);

// VEC32_UE8M0 / VEC16_UE4M3: src rows x nb scale bytes row-major -> the
// 128 x 4 tiles cuBLASLt reads (tile (r / 128, c / 4) at ((r / 128) *
// (padded_cols / 4) + c / 4) * 512; inside: (r % 32) * 16 + (r % 128 / 32) * 4 +
// c % 4), rows padded to 128 and columns to padded_cols (a multiple of 4) with
// `pad`. dst holds round_up(rows, 128) * padded_cols bytes.
KernelStatus swizzle_block_scales(const uint8_t* src, size_t rows, size_t nb, size_t padded_cols, uint8_t pad,
                                  uint8_t* dst, cudaStream_t stream, std::string* message);
size_t swizzled_scale_bytes(size_t rows, size_t padded_cols);

// e2m1 codes, one per byte (rows x k, row stride k), -> two per byte, the
// lower-index element in the low nibble (rows x k / 2 bytes; k even).
KernelStatus pack_fp4(const uint8_t* src, size_t rows, size_t k, uint8_t* dst, cudaStream_t stream,
                      std::string* message);

}  // namespace plumb::kernels::cuda::cublas
