// plumb reference, MPFR oracle: what the oracle knows about a format, derived
// from FormatDesc's description fields and docs/SEMANTICS.md's table alone
// (never from formats/' derived helpers), and the codes of its special
// results. Private to mpfr_convert.cpp.
#pragma once

#include <mpfr.h>

#include <cstdint>

#include "plumb/reference/convert_reference.hpp"

namespace plumb::reference::mpfr_oracle {

struct Layout {
  int ebits = 0, mbits = 0, bias = 0, bits = 0;
  bool is_signed = true;
  Encoding encoding = Encoding::ieee;
  bool integer = false, e8m0 = false;
  uint64_t mask = 0, sign = 0;  // code mask; sign bit (0 when unsigned)
  int min_exp = 0;              // exponent of the smallest normal value
};

inline Layout layout_of(const FormatDesc& f) {
  Layout l;
  l.ebits = f.ebits;
  l.mbits = f.mbits;
  l.bias = f.bias;
  l.bits = f.bits();
  l.is_signed = f.is_signed;
  l.encoding = f.encoding;
  l.integer = f.encoding == Encoding::integer;
  l.e8m0 = f.encoding == Encoding::e8m0;
  l.mask = l.bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << l.bits) - 1;
  l.sign = l.is_signed ? uint64_t{1} << (l.bits - 1) : 0;
  l.min_exp = l.e8m0 ? -l.bias : 1 - l.bias;
  return l;
}

inline bool has_inf(const Layout& l) { return l.encoding == Encoding::ieee; }
inline bool has_nan(const Layout& l) {
  return (l.encoding == Encoding::ieee && l.mbits >= 1) || l.encoding == Encoding::fn ||
         l.encoding == Encoding::fnuz || l.encoding == Encoding::e8m0;
}
inline bool has_negative_zero(const Layout& l) {
  return l.is_signed && l.encoding != Encoding::fnuz && !l.integer;
}
inline uint64_t field_ones(const Layout& l) { return (uint64_t{1} << l.ebits) - 1; }
inline uint64_t inf_code(const Layout& l, bool negative) {
  return (negative ? l.sign : 0) | (field_ones(l) << l.mbits);
}

// Largest finite magnitude as a code (sign clear): the largest code that is
// neither infinity nor NaN. Integers: the largest positive value.
inline uint64_t max_finite_code(const Layout& l) {
  const uint64_t all = l.mask & ~l.sign;
  switch (l.encoding) {
    case Encoding::ieee: return (field_ones(l) << l.mbits) - 1;
    case Encoding::fn:
    case Encoding::e8m0: return all - 1;
    default: return all;  // fnuz, finite, integer
  }
}

// ------------------------------------------------------------------ codes --

enum class Kind { zero, finite, infinite, nan };
struct Source {
  Kind kind = Kind::zero;
  bool negative = false;
  bool signaling = false;  // ieee NaN with its quiet bit clear
};

// Decodes a code of format l (SEMANTICS.md's table); a finite value is stored
// exactly in x (x needs 64 bits of precision).
inline Source decode(const Layout& l, uint64_t code, mpfr_t x) {
  Source s;
  code &= l.mask;
  if (l.integer) {
    s.negative = l.is_signed && (code & l.sign) != 0;
    const uint64_t magnitude = s.negative ? (0 - code) & l.mask : code;
    if (magnitude == 0) return s;
    s.kind = Kind::finite;
    mpfr_set_uj(x, magnitude, MPFR_RNDN);
    if (s.negative) mpfr_neg(x, x, MPFR_RNDN);
    return s;
  }
  s.negative = (code & l.sign) != 0;
  const uint64_t magnitude = code & ~l.sign;
  const uint64_t field = magnitude >> l.mbits;
  const uint64_t mantissa = magnitude & ((uint64_t{1} << l.mbits) - 1);
  if (l.e8m0) {  // code c is 2^(c - bias); all ones is NaN
    if (code == l.mask) return {Kind::nan, false, false};
    mpfr_set_ui_2exp(x, 1, static_cast<mpfr_exp_t>(code) - l.bias, MPFR_RNDN);
    s.kind = Kind::finite;
    return s;
  }
  switch (l.encoding) {
    case Encoding::ieee:
      if (field == field_ones(l)) {
        if (mantissa == 0) return {Kind::infinite, s.negative, false};
        const bool quiet = (mantissa >> (l.mbits - 1)) & 1;
        return {Kind::nan, s.negative, !quiet};
      }
      break;
    case Encoding::fn:
      if (magnitude == (l.mask & ~l.sign)) return {Kind::nan, s.negative, false};
      break;
    case Encoding::fnuz:
      if (l.is_signed && code == l.sign) return {Kind::nan, true, false};  // 1000..0
      break;
    default: break;
  }
  if (field == 0 && mantissa == 0) return s;  // zero
  s.kind = Kind::finite;
  if (field == 0) {  // subnormal: M 2^(min_exp - m)
    mpfr_set_uj_2exp(x, mantissa, l.min_exp - l.mbits, MPFR_RNDN);
  } else {  // normal: (2^m + M) 2^(E - bias - m)
    mpfr_set_uj_2exp(x, mantissa | (uint64_t{1} << l.mbits),
                     static_cast<mpfr_exp_t>(field) - l.bias - l.mbits, MPFR_RNDN);
  }
  if (s.negative) mpfr_neg(x, x, MPFR_RNDN);
  return s;
}

// The code of a representable nonzero magnitude y (y is scaled in place).
inline uint64_t encode(const Layout& l, mpfr_t y, bool negative) {
  mpfr_abs(y, y, MPFR_RNDN);
  if (l.integer) {
    const uint64_t n = mpfr_get_uj(y, MPFR_RNDN);
    return negative ? (0 - n) & l.mask : n;
  }
  const long e = mpfr_get_exp(y) - 1;  // floor(log2 y)
  const uint64_t s = negative ? l.sign : 0;
  if (e < l.min_exp) {  // subnormal: the mantissa counts quanta 2^(min_exp - m)
    mpfr_mul_2si(y, y, l.mbits - l.min_exp, MPFR_RNDN);
    return s | mpfr_get_uj(y, MPFR_RNDN);
  }
  mpfr_mul_2si(y, y, l.mbits - e, MPFR_RNDN);  // the significand, 2^m .. 2^(m+1)-1
  const uint64_t mantissa = mpfr_get_uj(y, MPFR_RNDN) - (uint64_t{1} << l.mbits);
  return s | (static_cast<uint64_t>(e + l.bias) << l.mbits) | mantissa;
}

// The largest finite magnitude as a number (integers: the positive limit).
inline void largest_finite(const Layout& l, mpfr_t out) {
  if (l.integer) {
    mpfr_set_uj(out, max_finite_code(l), MPFR_RNDN);
    return;
  }
  // (e1m0fn has no nonzero finite value: its largest finite code is zero.)
  if (decode(l, max_finite_code(l), out).kind != Kind::finite) mpfr_set_zero(out, 1);
}

// ---------------------------------------------------------------- results --

// The canonical NaN (quiet; x's sign where the format's NaN has a sign) with
// the given flags, or no_encoding | invalid without NaN (code 0).
inline ReferenceResult nan_result(const Layout& l, bool negative, uint8_t flags) {
  if (!has_nan(l)) return {0, static_cast<uint8_t>(flags | kInvalid | kNoEncoding)};
  const uint64_t s = negative ? l.sign : 0;
  switch (l.encoding) {
    case Encoding::ieee:
      return {s | inf_code(l, false) | (uint64_t{1} << (l.mbits - 1)), flags};
    case Encoding::fn: return {s | (l.mask & ~l.sign), flags};
    case Encoding::fnuz: return {l.sign, flags};
    default: return {l.mask, flags};  // e8m0: all ones
  }
}

// A negative nonzero result into an unsigned format (SEMANTICS.md step 4).
inline ReferenceResult negative_into_unsigned(const Layout& l, const RoundingSpec& spec) {
  if (spec.overflow == Overflow::saturate) return {0, kInvalid | kInexact};  // 0, e8m0 2^-bias
  return nan_result(l, false, kInvalid);
}

// Beyond the largest finite value (step 5), or an infinity the format cannot
// hold (step 2, infinite_input). Flags overflow | inexact are the caller's.
inline ReferenceResult overflow_result(const Layout& l, bool negative, const RoundingSpec& spec,
                                       bool infinite_input) {
  bool to_infinity = spec.overflow == Overflow::nan;
  if (spec.overflow == Overflow::infinity) {
    to_infinity = true;
    if (!infinite_input) {
      switch (spec.rounding) {
        case Rounding::toward_zero:
        case Rounding::odd: to_infinity = false; break;
        case Rounding::upward: to_infinity = !negative; break;
        case Rounding::downward: to_infinity = negative; break;
        default: break;
      }
    }
  }
  if (!to_infinity) {
    const uint8_t flags = infinite_input ? kInexact : 0;
    if (l.integer && negative) return {l.sign, flags};  // -2^(b-1)
    return {max_finite_code(l) | (negative ? l.sign : 0), flags};
  }
  if (spec.overflow == Overflow::infinity && has_inf(l)) return {inf_code(l, negative), 0};
  return nan_result(l, negative, kInvalid);
}

}  // namespace plumb::reference::mpfr_oracle
