// plumb formats: rounding modes, overflow policies and exception flags.
// docs/SEMANTICS.md states what each one means; formats/ and reference/ both
// implement that text, independently.
#pragma once

#include <cstdint>

#include "plumb/formats/host_device.hpp"

namespace plumb {

enum class Rounding : uint8_t {
  nearest_even,  // ties to the even code
  nearest_away,  // ties away from zero
  toward_zero,
  upward,        // toward +infinity
  downward,      // toward -infinity
  odd,           // truncate, then set the last code bit if inexact (von Neumann)
  stochastic,    // up iff floor(fraction * 2^k) + r >= 2^k, r = k caller bits
};
inline constexpr int kRoundingCount = 7;

enum class Overflow : uint8_t {
  saturate,  // overflow (and infinite input) gives the largest finite value
  infinity,  // IEEE 754 overflow rules per rounding mode
  nan,       // overflow gives NaN
};
inline constexpr int kOverflowCount = 3;

// IEEE 754 exception flags, plus plumb's "no_encoding": the exact result has
// no code in the target format (NaN into a format without NaN, overflow under
// the infinity policy into a format with neither infinity nor NaN...). Such a
// conversion is an error, and its code is 0.
enum Flag : uint8_t {
  kInexact = 1,
  kUnderflow = 2,
  kOverflow = 4,
  kInvalid = 8,
  kNoEncoding = 16,
};

// Everything that selects one conversion besides the two formats.
struct RoundingSpec {
  Rounding rounding = Rounding::nearest_even;
  Overflow overflow = Overflow::saturate;
  uint8_t sr_bits = 0;  // k, 1..32, for Rounding::stochastic
};

}  // namespace plumb
