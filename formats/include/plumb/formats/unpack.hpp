// plumb formats: a code taken apart into its exact value, and classification.
#pragma once

#include <cstdint>
#if !defined(__CUDA_ARCH__)
#include <bit>
#endif

#include "plumb/formats/format_desc.hpp"

namespace plumb {

enum class ValueClass : uint8_t { zero, subnormal, normal, infinite, nan };

// The exact value of a code: (-1)^negative * significand * 2^exponent.
struct Unpacked {
  ValueClass value_class = ValueClass::zero;
  bool negative = false;
  bool signaling = false;  // a NaN whose quiet bit is clear (IEEE formats)
  uint64_t significand = 0;
  int exponent = 0;
};

PLUMB_HD constexpr int count_leading_zeros64(uint64_t x) {
#if defined(__CUDA_ARCH__)
  return __clzll(static_cast<long long>(x));
#else
  return std::countl_zero(x);
#endif
}

PLUMB_HD constexpr Unpacked unpack(const FormatDesc& f, uint64_t code) {
  Unpacked u;
  code &= f.code_mask();
  if (f.is_integer()) {
    u.negative = f.is_signed && (code & f.sign_bit()) != 0;
    u.significand = u.negative ? ((~code + 1) & f.code_mask()) : code;
    u.value_class = u.significand == 0 ? ValueClass::zero : ValueClass::normal;
    return u;
  }
  if (f.encoding == Encoding::e8m0) {
    if (code == f.code_mask()) {
      u.value_class = ValueClass::nan;
    } else {
      u.value_class = ValueClass::normal;
      u.significand = 1;
      u.exponent = static_cast<int>(code) - f.bias;
    }
    return u;
  }
  u.negative = (code & f.sign_bit()) != 0;
  const uint64_t magnitude = code & f.magnitude_mask();
  const uint64_t field = magnitude >> f.mbits;
  const uint64_t mantissa = magnitude & ((uint64_t{1} << f.mbits) - 1);
  const uint64_t field_all_ones = (uint64_t{1} << f.ebits) - 1;
  bool is_nan = false;
  switch (f.encoding) {
    case Encoding::ieee:
      if (field == field_all_ones) {
        if (mantissa == 0) {
          u.value_class = ValueClass::infinite;
          return u;
        }
        is_nan = true;
        u.signaling = ((mantissa >> (f.mbits - 1)) & 1) == 0;
      }
      break;
    case Encoding::fn: is_nan = magnitude == f.magnitude_mask(); break;
    case Encoding::fnuz: is_nan = code == f.sign_bit(); break;
    default: break;
  }
  if (is_nan) {
    u.value_class = ValueClass::nan;
    return u;
  }
  if (field == 0) {
    u.value_class = mantissa == 0 ? ValueClass::zero : ValueClass::subnormal;
    u.significand = mantissa;
    u.exponent = f.min_exponent() - f.mbits;
  } else {
    u.value_class = ValueClass::normal;
    u.significand = mantissa | (uint64_t{1} << f.mbits);
    u.exponent = static_cast<int>(field) - f.bias - f.mbits;
  }
  return u;
}

PLUMB_HD constexpr ValueClass classify(const FormatDesc& f, uint64_t code) {
  return unpack(f, code).value_class;
}

}  // namespace plumb
