// plumb formats: a code's value as a double, the order of codes, ULP distance
// and the next / previous representable value.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "plumb/formats/unpack.hpp"

namespace plumb {

// Exact for every format plumb has (fp64 is the widest).
PLUMB_HD inline double decode(const FormatDesc& f, uint64_t code) {
  const Unpacked u = unpack(f, code);
  double v = 0.0;
  switch (u.value_class) {
    case ValueClass::nan: v = std::numeric_limits<double>::quiet_NaN(); break;
    case ValueClass::infinite: v = std::numeric_limits<double>::infinity(); break;
    case ValueClass::zero: v = 0.0; break;
    default: v = std::ldexp(static_cast<double>(u.significand), u.exponent); break;
  }
  return u.negative ? -v : v;
}

// Position of a non-NaN code on the number line, counted in codes: 0 for
// zero, +1 for the next value above zero, -1 below; +-0 share position 0.
PLUMB_HD constexpr int64_t code_ordinal(const FormatDesc& f, uint64_t code) {
  code &= f.code_mask();
  if (f.is_integer()) {
    return f.is_signed && (code & f.sign_bit()) ? static_cast<int64_t>(code) - static_cast<int64_t>(f.code_mask()) - 1
                                                : static_cast<int64_t>(code);
  }
  const int64_t magnitude = static_cast<int64_t>(code & f.magnitude_mask());
  return (code & f.sign_bit()) ? -magnitude : magnitude;
}

// The code at an ordinal (inverse of code_ordinal; -0 is never produced).
PLUMB_HD constexpr uint64_t code_at_ordinal(const FormatDesc& f, int64_t ordinal) {
  if (f.is_integer()) return static_cast<uint64_t>(ordinal) & f.code_mask();
  return ordinal < 0 ? (static_cast<uint64_t>(-ordinal) | f.sign_bit()) : static_cast<uint64_t>(ordinal);
}

// Ordinals of the most negative and most positive non-NaN values (infinities
// included where the format has them).
PLUMB_HD constexpr int64_t max_ordinal(const FormatDesc& f) {
  return static_cast<int64_t>(f.max_finite_code()) + (f.has_inf() ? 1 : 0);
}
PLUMB_HD constexpr int64_t min_ordinal(const FormatDesc& f) {
  if (f.is_integer()) return f.is_signed ? -static_cast<int64_t>(f.sign_bit()) : 0;
  return f.is_signed ? -max_ordinal(f) : 0;
}

// Number of representable values between a and b (0 when equal, +-0 equal).
// NaN on either side gives -1.
PLUMB_HD constexpr int64_t ulp_distance(const FormatDesc& f, uint64_t a, uint64_t b) {
  if (classify(f, a) == ValueClass::nan || classify(f, b) == ValueClass::nan) return -1;
  const int64_t d = code_ordinal(f, a) - code_ordinal(f, b);
  return d < 0 ? -d : d;
}

// Next value toward +infinity; false (code unchanged) at the top or for NaN.
PLUMB_HD constexpr bool next_up(const FormatDesc& f, uint64_t& code) {
  if (classify(f, code) == ValueClass::nan) return false;
  const int64_t o = code_ordinal(f, code);
  if (o >= max_ordinal(f)) return false;
  code = code_at_ordinal(f, o + 1);
  return true;
}
PLUMB_HD constexpr bool next_down(const FormatDesc& f, uint64_t& code) {
  if (classify(f, code) == ValueClass::nan) return false;
  const int64_t o = code_ordinal(f, code);
  if (o <= min_ordinal(f)) return false;
  code = code_at_ordinal(f, o - 1);
  return true;
}

}  // namespace plumb
