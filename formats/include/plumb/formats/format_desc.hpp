// plumb formats: the format descriptor, the single description of a number
// format shared by host code, device code and the references.
//
// A format is a bit layout (sign, exponent, mantissa), a bias and an encoding
// convention for its special values. Every derived constant (largest finite
// code, NaN code, minimum exponent...) is computed here and nowhere else.
#pragma once

#include <cstdint>

#include "plumb/formats/host_device.hpp"

namespace plumb {

// How the special values of a format are encoded.
enum class Encoding : uint8_t {
  ieee,     // exponent all ones: mantissa 0 is infinity, any other mantissa NaN
  fn,       // finite: no infinity, NaN only at S.1...1.1...1 (OCP e4m3)
  fnuz,     // finite, unsigned zero: no infinity, no -0, one NaN at 1000...0
  finite,   // no infinity and no NaN at all (OCP fp6, fp4)
  e8m0,     // exponent only (mbits = 0): no zero, no sign, NaN at all ones
  integer,  // two's complement (signed) or plain binary (unsigned) integer
};

struct FormatDesc {
  uint8_t ebits = 0;   // exponent field width (0 for integers)
  uint8_t mbits = 0;   // mantissa field width (value bits for integers)
  int16_t bias = 0;    // exponent bias (0 for integers)
  bool is_signed = true;
  Encoding encoding = Encoding::ieee;

  PLUMB_HD constexpr int bits() const { return (is_signed ? 1 : 0) + ebits + mbits; }
  PLUMB_HD constexpr bool is_integer() const { return encoding == Encoding::integer; }
  // Bytes a code occupies in an array: 1, 2, 4 or 8.
  PLUMB_HD constexpr int storage_bytes() const {
    return bits() <= 8 ? 1 : bits() <= 16 ? 2 : bits() <= 32 ? 4 : 8;
  }
  PLUMB_HD constexpr uint64_t code_mask() const {
    return bits() >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits()) - 1;
  }
  PLUMB_HD constexpr uint64_t sign_bit() const {
    return is_signed ? uint64_t{1} << (bits() - 1) : 0;
  }
  PLUMB_HD constexpr uint64_t magnitude_mask() const { return code_mask() & ~sign_bit(); }
  PLUMB_HD constexpr uint64_t exponent_all_ones() const {
    return ((uint64_t{1} << ebits) - 1) << mbits;
  }

  PLUMB_HD constexpr bool has_inf() const { return encoding == Encoding::ieee; }
  PLUMB_HD constexpr bool has_nan() const {
    switch (encoding) {
      case Encoding::ieee: return mbits >= 1;
      case Encoding::fn:
      case Encoding::fnuz:
      case Encoding::e8m0: return true;
      default: return false;
    }
  }
  PLUMB_HD constexpr bool has_negative_zero() const {
    return is_signed && encoding != Encoding::fnuz && encoding != Encoding::integer;
  }
  PLUMB_HD constexpr bool has_zero() const { return encoding != Encoding::e8m0; }

  // Exponent of the smallest normal value: 2^min_exponent(). For e8m0 the
  // all-zeros code is the normal value 2^-bias.
  PLUMB_HD constexpr int min_exponent() const {
    return encoding == Encoding::e8m0 ? -bias : 1 - bias;
  }
  // Largest finite magnitude, as a code (sign clear). Codes of a sign-magnitude
  // float grow with the magnitude, so "code > max_finite_code()" means overflow.
  PLUMB_HD constexpr uint64_t max_finite_code() const {
    const uint64_t all = magnitude_mask();
    switch (encoding) {
      case Encoding::ieee: return exponent_all_ones() - 1;
      case Encoding::fn:
      case Encoding::e8m0: return all - 1;
      case Encoding::fnuz:
      case Encoding::finite: return all;
      case Encoding::integer: return all;  // positive side; negative reaches all + 1
    }
    return all;
  }
  // Canonical NaN: quiet, sign as given where the format's NaN has a sign.
  PLUMB_HD constexpr uint64_t nan_code(bool negative) const {
    switch (encoding) {
      case Encoding::ieee:
        return (negative ? sign_bit() : 0) | exponent_all_ones() | (uint64_t{1} << (mbits - 1));
      case Encoding::fn: return (negative ? sign_bit() : 0) | magnitude_mask();
      case Encoding::fnuz: return sign_bit();
      case Encoding::e8m0: return code_mask();
      default: return 0;  // no NaN: callers check has_nan()
    }
  }
  PLUMB_HD constexpr uint64_t inf_code(bool negative) const {
    return (negative ? sign_bit() : 0) | exponent_all_ones();
  }

  friend PLUMB_HD constexpr bool operator==(const FormatDesc& a, const FormatDesc& b) {
    return a.ebits == b.ebits && a.mbits == b.mbits && a.bias == b.bias &&
           a.is_signed == b.is_signed && a.encoding == b.encoding;
  }
};

// Default bias of an exponent field: IEEE's 2^(e-1)-1, one more for fnuz.
PLUMB_HD constexpr int16_t default_bias(int ebits, Encoding encoding) {
  return static_cast<int16_t>((1 << (ebits - 1)) - (encoding == Encoding::fnuz ? 0 : 1));
}

PLUMB_HD constexpr FormatDesc float_format(int ebits, int mbits, Encoding encoding,
                                           bool is_signed = true) {
  return FormatDesc{static_cast<uint8_t>(ebits), static_cast<uint8_t>(mbits),
                    default_bias(ebits, encoding), is_signed, encoding};
}
PLUMB_HD constexpr FormatDesc integer_format(int bits, bool is_signed) {
  return FormatDesc{0, static_cast<uint8_t>(bits - (is_signed ? 1 : 0)), 0, is_signed,
                    Encoding::integer};
}

// The named formats. Names and aliases live in format_names.hpp (host only).
namespace formats {
inline constexpr FormatDesc fp64 = float_format(11, 52, Encoding::ieee);
inline constexpr FormatDesc fp32 = float_format(8, 23, Encoding::ieee);
inline constexpr FormatDesc tf32 = float_format(8, 10, Encoding::ieee);
inline constexpr FormatDesc bf16 = float_format(8, 7, Encoding::ieee);
inline constexpr FormatDesc fp16 = float_format(5, 10, Encoding::ieee);
inline constexpr FormatDesc e5m2 = float_format(5, 2, Encoding::ieee);
inline constexpr FormatDesc e4m3fn = float_format(4, 3, Encoding::fn);
inline constexpr FormatDesc e4m3fnuz = float_format(4, 3, Encoding::fnuz);
inline constexpr FormatDesc e5m2fnuz = float_format(5, 2, Encoding::fnuz);
inline constexpr FormatDesc e3m2fn = float_format(3, 2, Encoding::finite);
inline constexpr FormatDesc e2m3fn = float_format(2, 3, Encoding::finite);
inline constexpr FormatDesc e2m1fn = float_format(2, 1, Encoding::finite);
inline constexpr FormatDesc ue8m0 = float_format(8, 0, Encoding::e8m0, false);
inline constexpr FormatDesc ue4m3 = float_format(4, 3, Encoding::fn, false);
inline constexpr FormatDesc int8 = integer_format(8, true);
inline constexpr FormatDesc int4 = integer_format(4, true);
inline constexpr FormatDesc uint8 = integer_format(8, false);
inline constexpr FormatDesc uint4 = integer_format(4, false);
}  // namespace formats

}  // namespace plumb
