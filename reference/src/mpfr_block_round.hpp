// plumb reference, block oracle: one rounding of an exact quotient num / den
// into an element or scale format, under docs/SEMANTICS.md step 4 with the
// `saturate` policy, in nearest_even or stochastic (k bits) mode. Private to
// the block oracle (mpfr_block*.cpp).
//
// The quotient is never formed: floor(|num| 2^(j - Q) / den) is computed with
// a directed MPFR division (exact floor, since the integer fits the working
// precision), and whether the remainder is zero by an exact product. Q is the
// quantum's exponent (SEMANTICS.md step 4), found by exact comparisons of num
// against den times powers of two.
#pragma once

#include <cstdint>

#include "mpfr_format.hpp"
#include "mpfr_fp32.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::reference::block_oracle {

// A format as the rounder sees it: its layout and its largest finite
// magnitude on each side (integers: the block format's clamp; see below).
class RoundTarget {
 public:
  // Integers with symmetric = true are clamped to [-max, max] after
  // saturation (BLOCK_SEMANTICS.md: MXINT8 never produces -128); with false
  // the negative side reaches -max - 1. Throws std::invalid_argument for an
  // e8m0 target (the MX scale is computed, never rounded).
  RoundTarget(const FormatDesc& format, bool symmetric);

  const mpfr_oracle::Layout& layout() const { return layout_; }
  mpfr_srcptr max() const { return max_; }  // the largest finite value (integers: 2^m - 1)
  uint64_t nan_code() const;                // the positive NaN code, 0 without NaN
  uint64_t zero_code(bool negative) const;  // a signed zero where the format has -0

  // The code of num / den (den > 0 and finite; num a signed zero, finite or
  // infinite, never NaN), rounded once. mode: nearest_even or stochastic, in
  // which case rbits' low k bits (1 <= k <= 32) are the random word.
  uint64_t round_quotient(mpfr_srcptr num, mpfr_srcptr den, Rounding mode, int k,
                          uint32_t rbits) const;

 private:
  mpfr_oracle::Layout layout_;
  bool symmetric_;
  Real max_;
  // Scratch, reused by every rounding (an oracle is used by one thread).
  mutable Real v_, t_, u_;
};

// splitmix64's output function (BLOCK_SEMANTICS.md, "Stochastic rounding").
uint64_t splitmix64_mix(uint64_t z);
// The stochastic-rounding word of element i (row-major index) for a seed.
uint32_t block_rbits(uint64_t seed, uint64_t i);

}  // namespace plumb::reference::block_oracle
