// plumb harness: the L-Mul paper's accuracy claims, measured from the exact
// reference (docs/LMUL_SEMANTICS.md, "Measuring the claims"):
// the relative error of L-Mul with m = 2..7 mantissa bits against exact
// multiplication, next to e4m3fn and e5m2 multiplication, and the relative
// Frobenius error of L-Mul / fp32 / bf16 / e4m3fn GEMMs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/lmul.hpp"

namespace plumb::harness {

// Relative errors |got - exact| / |exact| of one method on one operand source.
struct ErrorStats {
  uint64_t count = 0;
  double mean = 0, max = 0;
  // Only the samples whose exact product lies in e4m3fn's normal range
  // [2^-6, 448], where no method under- or overflows: the mantissa comparison.
  uint64_t in_range_count = 0;
  double in_range_mean = 0, in_range_max = 0;
  // Histogram of log10(relative error) (in-range samples): bin i counts
  // [kHistLow + i * kHistStep, ... + kHistStep); errors of exactly 0 in `exact`.
  std::vector<uint64_t> histogram;
  uint64_t exact = 0;
};
inline constexpr double kHistLow = -9.0, kHistStep = 0.25;
inline constexpr int kHistBins = 40;

struct MulMethod {
  std::string name;  // "lmul_m4_paper", "e4m3fn", ...
  std::string kind;  // "lmul" or "float"
  int mantissa_bits = 0;
  std::string carry;  // "paper" / "int_add" for L-Mul, "" otherwise
};
// L-Mul m = 2..7 under both carry variants, then e4m3fn and e5m2.
std::vector<MulMethod> mul_methods();

struct MulErrorResult {
  MulMethod method;
  ErrorStats uniform_bits;  // operands uniform over fp32 bit patterns in [2^-3, 2^4), both signs
  ErrorStats gaussian;      // operands N(0, 1) rounded to fp32
  double expectation = 0;   // mean over every pair of in-format mantissas at exponent 0
};
std::vector<MulErrorResult> measure_mul_errors(uint64_t seed, size_t samples);

struct ClaimCheck {
  std::string id, claim, rule;
  std::string source;  // "uniform_bits", "gaussian" (in-range), "expectation"
  std::string carry;
  double lmul = 0, fp8 = 0;
  bool holds = false;
};
// claim A: L-Mul m = 4 mean error <= 1.25 x e4m3fn's; claim B: L-Mul m = 3 < e5m2.
std::vector<ClaimCheck> check_claims(const std::vector<MulErrorResult>& results);

struct GemmErrorResult {
  std::string method, operands, kernel;
  double rel_frobenius = 0;
  bool ok = true;
  std::string message;
};
// A (n x n) and B (n x n) N(0, 1) fp32 from seed; each method against the
// exact product (double, compensated sums of exact products).
std::vector<GemmErrorResult> measure_gemm_errors(uint64_t seed, size_t n, const std::string& lmul_kernel);

}  // namespace plumb::harness
