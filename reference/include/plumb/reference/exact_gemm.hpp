// plumb reference: the exact GEMM of docs/GEMM_SEMANTICS.md. C[i][j] =
// sum_k A[i][k] B[j][k] with A (M x K) and B (N x K) both K-contiguous.
// Operand codes are decoded here from the FormatDesc description fields alone
// (never formats/' helpers); every dot is summed exactly as a Boost cpp_int
// over a common power of two, divided once by the tensor scales and rounded
// once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "plumb/formats/block_format.hpp"

namespace plumb::reference {

enum class GemmOperandKind : uint8_t { fp32, int8, block, bf16, fp16, fp8, fp8_blockwise };

// One operand: rows x k values, row-major (K contiguous). block: `format`'s
// element codes (rows x k bytes) and scale codes (rows x ceil(k / block_size)
// bytes, layout `rows`), and the tensor scale (1 without one).
// bf16 / fp16: 16-bit codes in `u16`. fp8: codes of `code_format` (e4m3fn or
// e5m2) in `elements`, each value = decode(code) x `multiplier` (a finite fp32,
// cuBLASLt's per-tensor A_SCALE / B_SCALE). fp8_blockwise: codes in `elements`
// times fp32 `block_scales`, one per block of `scale_block_rows` (1 or 128)
// rows x 128 columns, a ceil(rows / scale_block_rows) x ceil(k / 128) grid,
// row-major.
struct GemmOperand {
  GemmOperandKind kind = GemmOperandKind::fp32;
  size_t rows = 0, k = 0;
  const float* f32 = nullptr;
  const int8_t* i8 = nullptr;
  BlockFormat format{};
  const uint8_t* elements = nullptr;
  const uint8_t* scales = nullptr;
  float tensor_scale = 1.0f;
  const uint16_t* u16 = nullptr;
  FormatDesc code_format{};
  float multiplier = 1.0f;
  const float* block_scales = nullptr;
  size_t scale_block_rows = 1;
};

struct GemmExactEntry {
  bool nan = false;         // a NaN operand (or NaN scale) in the dot
  long double value = 0;    // the exact value rounded to 64 bits (nearest even)
  float fp32 = 0;           // correctly rounded (nearest even, subnormals, overflow to inf)
  float bf16 = 0;           // the same into bf16, held exactly in a float
  float fp16 = 0;           // the same into fp16, held exactly in a float
  long double abs_sum = 0;  // sum_k |a_ik b_jk|, exact then rounded to 64 bits
};

// The M x N entries, row-major. Throws std::invalid_argument for mismatched
// shapes, missing arrays, non-finite fp32 operands, infinite element codes,
// and a tensor scale that is not a positive finite number.
std::vector<GemmExactEntry> exact_gemm(const GemmOperand& a, const GemmOperand& b);
GemmExactEntry exact_gemm_entry(const GemmOperand& a, const GemmOperand& b, size_t i, size_t j);

// Sign of (x - exact C[i][j]): -1, 0 or +1, decided exactly. Throws
// std::invalid_argument when the entry is NaN or x is not finite.
int exact_gemm_compare(const GemmOperand& a, const GemmOperand& b, size_t i, size_t j, double x);

// The bounds of docs/GEMM_SEMANTICS.md for a dot of length k with r roundings
// before the products, accumulated with unit roundoff u = 2^-accumulator_bits
// (24: fp32 round to nearest; 23: fp32 with truncation, as tensor cores add).
long double gemm_gamma_bound(size_t k, int r, long double abs_sum, int accumulator_bits = 24);  // gamma_{k+r} S + k 2^-149
long double gemm_probabilistic_bound(size_t k, int r, long double abs_sum, int accumulator_bits = 24);  // lambda = 6
// r for an operand kind / format: 6 for tensor-scaled (NV) block formats; 3
// for fp8 and fp8_blockwise (the scale product, alpha, and the scaled sum:
// cuBLASLt applies the fp32 multipliers after summing); else 0.
int gemm_pre_roundings(const GemmOperand& a);

}  // namespace plumb::reference
