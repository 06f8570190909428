// plumb checks: GEMM cases and the check of one GEMM kernel on one case
// against the exact reference (docs/GEMM_SEMANTICS.md). int8: bit for bit;
// fp32, bf16, fp16, fp8, fp8_blockwise and block: every element within gamma_{K+r} sum|ab| + K 2^-149 (in
// long double from the exact value, never in the output type), NaN exactly
// where the reference has NaN.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"
#include "plumb/kernels/gemm_kernel.hpp"
#include "plumb/reference/exact_gemm.hpp"

namespace plumb::checks {

// What a block case plants in its fp32 input before quantisation.
enum class GemmSpecial : uint8_t {
  none,
  zero_block,  // A row 0's first block and B's last row's last block all zeros
  nan_inf,     // A[last row][0] = inf, B[0][k-1] = NaN: NaN-scale blocks
};

// One input set, owning its arrays. A is m x k, B is n x k (K contiguous).
struct GemmCase {
  std::string label;  // "mxfp4 3x6x33 zero_block"
  uint64_t seed = 0;
  kernels::GemmKind kind = kernels::GemmKind::fp32;
  size_t m = 0, n = 0, k = 0;
  BlockFormat format{};
  std::vector<float> a_f32, b_f32;
  std::vector<int8_t> a_i8, b_i8;
  std::vector<uint8_t> a_elements, a_scales, b_elements, b_scales;
  float a_tensor_scale = 1.0f, b_tensor_scale = 1.0f;
  std::vector<uint16_t> a_u16, b_u16;          // bf16 / fp16 codes
  FormatDesc a_fp8{}, b_fp8{};                 // fp8 / fp8_blockwise: code formats (codes in *_elements)
  float a_scale = 1.0f, b_scale = 1.0f;        // fp8: per-tensor multipliers
  std::vector<float> a_block_scales, b_block_scales;  // fp8_blockwise: 1 x 128 (A), 128 x 128 (B)
  // What a kernel may refuse as a whole: the block format's name, the fp8
  // operand pair ("e4m3fn x e5m2"), or empty. The suite reports one
  // not_supported verdict per (kind, variant).
  std::string variant;

  kernels::GemmArgs args() const;
  reference::GemmOperand a_operand() const;
  reference::GemmOperand b_operand() const;
};

// Seeded cases (the seed and the shape go into the label's verdict message).
// fp32: values u x 2^e, u uniform in [-1, 1), e uniform in [-8, 8].
GemmCase make_fp32_gemm_case(size_t m, size_t n, size_t k, uint64_t seed);
// int8: uniform over all 256 values, -128 included.
GemmCase make_int8_gemm_case(size_t m, size_t n, size_t k, uint64_t seed);
// block: fp32 input as for fp32 cases, quantised by formats/ (layout rows).
GemmCase make_block_gemm_case(const BlockFormat& f, const std::string& format_name, size_t m, size_t n,
                              size_t k, GemmSpecial special, uint64_t seed);

// bf16 / fp16: random sign and significand, exponent uniform in [-8, 8]
// (fp16: also subnormal codes), one code in 16 a zero; no infinities or NaNs.
GemmCase make_half_gemm_case(kernels::GemmKind kind, size_t m, size_t n, size_t k, uint64_t seed);
// fp8: uniform over the finite codes of each operand's format (zeros and
// subnormals included); per-tensor multipliers u x 2^e, u in [1, 2), e in [-3, 3].
GemmCase make_fp8_gemm_case(const FormatDesc& a_format, const FormatDesc& b_format, size_t m, size_t n,
                            size_t k, uint64_t seed);
// fp8_blockwise: as fp8, with one multiplier per 1 x 128 block of A and per
// 128 x 128 block of B.
GemmCase make_fp8_blockwise_gemm_case(const FormatDesc& a_format, const FormatDesc& b_format, size_t m,
                                      size_t n, size_t k, uint64_t seed);

// Runs the kernel on the case and judges every element. The message gives the
// seed and max / mean |error| as a fraction of the deterministic bound and the
// max fraction of the probabilistic one; max_ulp is the largest distance in
// fp32 ULPs from the correctly rounded fp32 (NaN entries left out).
Verdict check_gemm(const kernels::GemmKernel& kernel, const GemmCase& c);

}  // namespace plumb::checks
