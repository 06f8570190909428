// plumb harness: a CPU model of a reduced-precision dot-product accumulator,
// the model whose precision `plumb fp8-accum` fits to a GPU's measured fp8
// GEMM error (docs/GEMM_SEMANTICS.md, "fp8 accumulation").
//
// The model: products a_k b_k are formed exactly (in double: any fp32 x fp32
// product is exact there) and added in index order, `group` at a time, into a
// partial sum that holds `precision_bits` significant bits; every addition is
// the exact sum rounded once (to nearest even, or toward zero = truncation).
// group 1 adds one product at a time; group g > 1 models a fused g-term adder:
// the g products are summed exactly (in double: exact for fp8 x fp8 products,
// integers times 2^-18 below 2^18 in magnitude, for g up to 2^16) and added
// to the partial sum with one rounding.
// The exponent range is unbounded (no overflow, no subnormals). With
// promotion every N products, the partial sum is added into an fp32
// accumulator (round to nearest even) after each N products and restarted
// at 0; the result is that accumulator plus the last partial sum. Without
// promotion the result is the partial sum itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace plumb::harness {

// aligned_toward_zero: the two terms are aligned to the larger one's p-bit
// grid, the smaller one's bits below it dropped toward zero (sign-magnitude,
// so a negative term moves up), the aligned terms added exactly and the sum
// truncated to p bits: the alignment-and-truncation adder of tensor cores
// (Fasi et al., PeerJ CS 2021). For terms of one sign it equals toward_zero.
enum class AccumRounding : uint8_t { nearest_even, toward_zero, aligned_toward_zero };
// "nearest_even", "toward_zero", "aligned_toward_zero"
const char* accum_rounding_name(AccumRounding r);

struct AccumModel {
  int precision_bits = 24;  // significant bits of the partial sum, 2..53
  AccumRounding rounding = AccumRounding::nearest_even;
  size_t promote_every = 0;  // 0: never promoted; a multiple of group
  size_t group = 1;          // products per rounded addition
};
// "p14_toward_zero", "p14_toward_zero_g4", "p14_toward_zero_promote128".
std::string accum_model_name(const AccumModel& m);

// x (zero or a normal double) rounded to p significant bits, 2 <= p <= 53.
double round_to_bits(double x, int p, AccumRounding r);
// The exact a + b rounded once to p bits (a, b finite; no overflow).
double add_rounded(double a, double b, int p, AccumRounding r);

// The model's dot of a[0..k) . b[0..k) after each checkpoint:
// out[c] = the model's result for the first checkpoints[c] products.
// Checkpoints ascending (std::invalid_argument otherwise, for a precision
// outside 2..53, a group of 0 or a promote_every that is not a multiple of the
// group), the last at most the length of a and b. A checkpoint inside a group
// ends that group there.
void model_dot_prefixes(const float* a, const float* b, const std::vector<size_t>& checkpoints,
                        const AccumModel& m, double* out);
double model_dot(const float* a, const float* b, size_t k, const AccumModel& m);

}  // namespace plumb::harness
