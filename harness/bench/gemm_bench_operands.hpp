// plumb_gemm_bench: the operand variants a GEMM benchmark row can take (one
// per GemmKind, one per block format, two fp8 pairs) and seeded random host
// operands for each: valid codes only (no NaN or infinity), never zeros
// throughout, values of moderate size so no product overflows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_format.hpp"
#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::bench {

struct GemmVariant {
  std::string name;  // "bf16", "fp8_e4m3xe5m2", "mxfp4", ...
  kernels::GemmKind kind = kernels::GemmKind::fp32;
  BlockFormat format{};      // block
  FormatDesc a_fp8{}, b_fp8{};  // fp8, fp8_blockwise
};

const std::vector<GemmVariant>& gemm_variants();

// Host arrays for one variant and shape, owning their storage; args() points
// GemmArgs at them (host pointers).
struct GemmHostOperands {
  GemmVariant variant;
  size_t m = 0, n = 0, k = 0;
  std::vector<float> a_f32, b_f32;
  std::vector<int8_t> a_i8, b_i8;
  std::vector<uint16_t> a_u16, b_u16;
  std::vector<uint8_t> a_elements, b_elements, a_scales, b_scales;
  std::vector<float> a_block_scales, b_block_scales;
  float a_tensor_scale = 1.0f, b_tensor_scale = 1.0f;
  float a_scale = 1.0f, b_scale = 1.0f;

  kernels::GemmArgs args() const;
  // Bytes the operands occupy (A, B and their scales) and C's fp32 / int32 bytes.
  size_t operand_bytes() const;
  size_t output_bytes() const { return m * n * 4; }
};

GemmHostOperands make_gemm_operands(const GemmVariant& v, size_t m, size_t n, size_t k, uint64_t seed);

}  // namespace plumb::bench
