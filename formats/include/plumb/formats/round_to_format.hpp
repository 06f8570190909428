// plumb formats: rounding an exact value into a format, the one definition
// shared by every CPU and CUDA kernel. docs/SEMANTICS.md is its specification.
//
// Method: the value is sig * 2^exp. Its quantum in the target is 2^Q with
// Q = max(floor(log2|x|), min_exponent) - mbits (Q = 0 for integers). The
// magnitude code of floor(|x| / 2^Q) is ((Q - Qmin) << mbits) + n, so rounding
// up is "code + 1" in every binade, across binades and out of the subnormals.
#pragma once

#include <cstdint>

#include "plumb/formats/rounding.hpp"
#include "plumb/formats/unpack.hpp"

namespace plumb {

struct Converted {
  uint64_t code = 0;
  uint8_t flags = 0;
};

namespace detail {

// Result for a value beyond the largest finite one (or an infinity that the
// target cannot hold), before flags.
PLUMB_HD constexpr Converted overflow_result(const FormatDesc& f, bool negative,
                                             const RoundingSpec& spec, bool infinite_input) {
  const uint64_t sign = negative ? f.sign_bit() : 0;
  const uint64_t max_code = f.is_integer() && negative ? f.sign_bit() : f.max_finite_code();
  const uint64_t saturated = f.is_integer() && negative ? max_code : (max_code | sign);
  bool to_infinity = true;
  if (spec.overflow == Overflow::saturate) {
    to_infinity = false;
  } else if (spec.overflow == Overflow::infinity && !infinite_input) {
    switch (spec.rounding) {
      case Rounding::toward_zero:
      case Rounding::odd: to_infinity = false; break;
      case Rounding::upward: to_infinity = !negative; break;
      case Rounding::downward: to_infinity = negative; break;
      default: break;
    }
  }
  if (!to_infinity) return {saturated, 0};
  if (spec.overflow == Overflow::infinity && f.has_inf()) return {f.inf_code(negative), 0};
  if (f.has_nan()) return {f.nan_code(negative), kInvalid};
  return {0, static_cast<uint8_t>(kInvalid | kNoEncoding)};
}

// Negative nonzero value into an unsigned format.
PLUMB_HD constexpr Converted negative_into_unsigned(const FormatDesc& f, const RoundingSpec& spec) {
  if (spec.overflow == Overflow::saturate) return {0, static_cast<uint8_t>(kInvalid | kInexact)};
  if (f.has_nan()) return {f.nan_code(false), kInvalid};
  return {0, static_cast<uint8_t>(kInvalid | kNoEncoding)};
}

}  // namespace detail

// Rounds the exact value x into format f. rbits supplies the k = spec.sr_bits
// random bits of stochastic rounding (its low k bits are used).
PLUMB_HD constexpr Converted round_to_format(const FormatDesc& f, const Unpacked& x,
                                             const RoundingSpec& spec, uint32_t rbits = 0) {
  const bool neg = x.negative;
  const bool unsigned_target = !f.is_signed;
  switch (x.value_class) {
    case ValueClass::nan:
      if (!f.has_nan()) return {0, static_cast<uint8_t>(kInvalid | kNoEncoding)};
      return {f.nan_code(neg), static_cast<uint8_t>(x.signaling ? kInvalid : 0)};
    case ValueClass::infinite:
      if (neg && unsigned_target) return detail::negative_into_unsigned(f, spec);
      if (f.has_inf()) return {f.inf_code(neg), 0};
      {
        Converted r = detail::overflow_result(f, neg, spec, true);
        if (!(r.flags & kInvalid)) r.flags |= kInexact;
        return r;
      }
    case ValueClass::zero:
      if (!f.has_zero()) return {0, static_cast<uint8_t>(kInexact | kUnderflow)};
      return {neg && f.has_negative_zero() ? f.sign_bit() : 0, 0};
    default: break;
  }

  // Finite, nonzero: normalise so the significand's top bit is bit 63.
  const int lz = count_leading_zeros64(x.significand);
  const uint64_t sig = x.significand << lz;
  const int e = x.exponent + 63 - lz;  // floor(log2 |x|)
  const int min_exp = f.min_exponent();
  const int q = f.is_integer() ? 0 : (e > min_exp ? e : min_exp) - f.mbits;
  const int shift = q - e + 63;  // |x| / 2^q = sig / 2^shift

  uint8_t flags = 0;
  if (!f.is_integer() && e < min_exp) flags |= kUnderflow;  // tininess before rounding

  // A binade far beyond the format's range overflows without further work.
  const int q_min = min_exp - f.mbits;
  const int max_field = static_cast<int>(f.max_finite_code() >> f.mbits) + 2;
  if (shift < 0 || (!f.is_integer() && q - q_min > max_field)) {
    if (neg && unsigned_target) return detail::negative_into_unsigned(f, spec);
    Converted r = detail::overflow_result(f, neg, spec, false);
    r.flags |= kOverflow | kInexact;
    return r;
  }

  // n = floor(|x| / 2^q); the fraction is word / 2^64, plus a sticky bit.
  uint64_t n = 0, word = 0;
  bool sticky = false;
  if (shift == 0) {  // 64-bit integer targets: 2^63 <= |x| < 2^64, exact
    n = sig;
  } else if (shift < 64) {
    n = sig >> shift;
    word = sig << (64 - shift);
  } else if (shift == 64) {
    word = sig;
  } else if (shift < 128) {
    word = sig >> (shift - 64);
    sticky = (sig << (128 - shift)) != 0;
  } else {
    sticky = true;
  }
  const bool inexact = word != 0 || sticky;
  const uint64_t half = uint64_t{1} << 63;
  const bool tie = word == half && !sticky;
  const bool above_half = word > half || (word == half && sticky);

  const bool e8m0 = f.encoding == Encoding::e8m0;
  const uint64_t code = f.is_integer()
                            ? n
                            : (static_cast<uint64_t>(q - q_min) << f.mbits) + n - (e8m0 ? 1 : 0);
  // Parity of the integral significand: the code's last bit when mbits >= 1;
  // for mbits = 0 (e8m0) it makes ties round up, as MPFR does in precision 1.
  const bool n_odd = (n & 1) != 0;
  bool up = false;
  switch (spec.rounding) {
    case Rounding::nearest_even: up = above_half || (tie && n_odd); break;
    case Rounding::nearest_away: up = above_half || tie; break;
    case Rounding::toward_zero: break;
    case Rounding::upward: up = inexact && !neg; break;
    case Rounding::downward: up = inexact && neg; break;
    case Rounding::odd: up = inexact && !n_odd; break;
    case Rounding::stochastic: {
      const int k = spec.sr_bits;
      const uint64_t top = k > 0 ? word >> (64 - k) : 0;
      const uint64_t r = rbits & ((uint64_t{1} << k) - 1);
      up = k > 0 && top + r >= (uint64_t{1} << k);
      break;
    }
  }
  if (inexact) flags |= kInexact;
  else flags &= static_cast<uint8_t>(~kUnderflow);
  const uint64_t rounded_n = n + (up ? 1 : 0);
  const uint64_t rounded = code + (up ? 1 : 0);

  if (rounded_n == 0) {  // rounded to zero
    if (e8m0) return {0, static_cast<uint8_t>(flags | kUnderflow)};  // no zero: smallest value
    return {neg && f.has_negative_zero() ? f.sign_bit() : 0, flags};
  }
  if (neg && unsigned_target) return detail::negative_into_unsigned(f, spec);
  const bool overflow = f.is_integer() ? rounded > (neg ? f.sign_bit() : f.max_finite_code())
                                       : rounded > f.max_finite_code();
  if (overflow) {
    Converted r = detail::overflow_result(f, neg, spec, false);
    r.flags |= flags | kOverflow | kInexact;
    return r;
  }
  if (f.is_integer()) return {neg ? ((~rounded + 1) & f.code_mask()) : rounded, flags};
  return {rounded | (neg ? f.sign_bit() : 0), flags};
}

// Converts a code of one format into another.
PLUMB_HD constexpr Converted convert_code(const FormatDesc& from, const FormatDesc& to,
                                          uint64_t code, const RoundingSpec& spec,
                                          uint32_t rbits = 0) {
  return round_to_format(to, unpack(from, code), spec, rbits);
}

}  // namespace plumb
