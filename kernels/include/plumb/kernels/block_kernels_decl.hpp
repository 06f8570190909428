// Declarations of every block quantise / dequantise function named in the
// registry (kernels/registry/block.inc and block_cuda.inc).
#pragma once

#include "plumb/kernels/block_kernel.hpp"

#define PLUMB_DECLARE_BLOCK_QUANTIZE_FN(fn)                                              \
  KernelStatus fn(const BlockFormat& format, const BlockOptions& options, const float* x, \
                  size_t rows, size_t cols, uint8_t* elements, uint8_t* scales,           \
                  float* tensor_scale, std::string* message)
#define PLUMB_DECLARE_BLOCK_DEQUANTIZE_FN(fn)                                            \
  KernelStatus fn(const BlockFormat& format, const BlockOptions& options,                 \
                  const uint8_t* elements, const uint8_t* scales, float tensor_scale,     \
                  size_t rows, size_t cols, float* out, std::string* message)

namespace plumb::kernels::cpu {
PLUMB_DECLARE_BLOCK_QUANTIZE_FN(block_quantize);
PLUMB_DECLARE_BLOCK_DEQUANTIZE_FN(block_dequantize);
PLUMB_DECLARE_BLOCK_QUANTIZE_FN(block_planted_scale_ceil_quantize);
}  // namespace plumb::kernels::cpu

namespace plumb::kernels::cuda {
PLUMB_DECLARE_BLOCK_QUANTIZE_FN(block_quantize);
PLUMB_DECLARE_BLOCK_DEQUANTIZE_FN(block_dequantize);
}  // namespace plumb::kernels::cuda
