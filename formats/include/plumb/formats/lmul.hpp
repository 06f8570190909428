// plumb formats: L-Mul ("Addition is All You Need for Energy-efficient
// Language Models") on the bit patterns, as hardware would do it: one integer
// add of the operands' exponent-and-mantissa fields, minus the bias, plus the
// offset 2^-l(m) as an integer in the mantissa field. docs/LMUL_SEMANTICS.md is
// the specification; the choices the paper leaves open are LmulSpec's fields.
//
// Host and device (PLUMB_HD): the CPU and CUDA L-Mul kernels share this code.
// The reference (reference/src/boost_lmul.cpp) shares none of it.
#pragma once

#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/rounding.hpp"
#include "plumb/formats/unpack.hpp"

namespace plumb {

// What happens when the mantissa-fraction sum f = x_m + y_m + 2^-l(m) reaches 1.
enum class LmulCarry : uint8_t {
  paper,    // the paper's formula (1 + f) * 2^(x_e + y_e), rounded (nearest-even)
            // into the operand format when it needs one more mantissa bit
  int_add,  // one integer add of the bit patterns: the carry spills into the
            // exponent, giving (1 + f - c) * 2^(x_e + y_e + c), c = floor(f)
};
// Subnormal operands and results below the smallest normal value.
enum class LmulSubnormals : uint8_t {
  flush,    // subnormal operands read as zero; |result| < 2^min_exponent -> signed zero
  gradual,  // subnormal operands normalised exactly; tiny results rounded
            // (nearest-even) onto the subnormals
};

struct LmulSpec {
  LmulCarry carry = LmulCarry::paper;
  LmulSubnormals subnormals = LmulSubnormals::flush;
  Overflow overflow = Overflow::saturate;  // as docs/SEMANTICS.md step 5, nearest-even
};

inline const char* lmul_carry_name(LmulCarry c) { return c == LmulCarry::paper ? "paper" : "int_add"; }
inline const char* lmul_subnormals_name(LmulSubnormals s) {
  return s == LmulSubnormals::flush ? "flush" : "gradual";
}

// The paper's offset exponent: l(m) = m (m <= 3), 3 (m == 4), 4 (m > 4).
PLUMB_HD constexpr int lmul_offset_exponent(int m) { return m <= 3 ? m : (m == 4 ? 3 : 4); }

// Operand formats L-Mul is defined for here: signed floats with 1..8 exponent
// bits and 1..23 mantissa bits (every product is then exact in fp32 and fp64).
PLUMB_HD constexpr bool lmul_supports(const FormatDesc& f) {
  return f.is_signed && f.ebits >= 1 && f.ebits <= 8 && f.mbits >= 1 && f.mbits <= 23 &&
         (f.encoding == Encoding::ieee || f.encoding == Encoding::fn ||
          f.encoding == Encoding::fnuz || f.encoding == Encoding::finite);
}

namespace detail {

// sig >> s, rounded to nearest, ties to even.
PLUMB_HD constexpr uint64_t lmul_shift_rne(uint64_t sig, int s) {
  if (s <= 0) return sig;
  if (s >= 64) return 0;  // sig < 2^30 here: below half of the last place
  const uint64_t q = sig >> s, rem = sig & ((uint64_t{1} << s) - 1), half = uint64_t{1} << (s - 1);
  return q + ((rem > half || (rem == half && (q & 1))) ? 1 : 0);
}

}  // namespace detail

// L-Mul of two codes of f, as a code of f. offset_enabled = false drops the
// 2^-l(m) term (used only by the planted-bug kernel).
PLUMB_HD constexpr uint64_t lmul_code(const FormatDesc& f, const LmulSpec& spec, uint64_t a,
                                      uint64_t b, bool offset_enabled = true) {
  const int m = f.mbits;
  const uint64_t mant_mask = (uint64_t{1} << m) - 1;
  const Unpacked ua = unpack(f, a), ub = unpack(f, b);
  const bool negative = ua.negative != ub.negative;
  const uint64_t zero = negative && f.has_negative_zero() ? f.sign_bit() : 0;
  if (ua.value_class == ValueClass::nan || ub.value_class == ValueClass::nan) return f.nan_code(false);
  const bool flush = spec.subnormals == LmulSubnormals::flush;
  const auto is_zero = [flush](const Unpacked& u) {
    return u.value_class == ValueClass::zero || (flush && u.value_class == ValueClass::subnormal);
  };
  const bool inf_a = ua.value_class == ValueClass::infinite, inf_b = ub.value_class == ValueClass::infinite;
  if (inf_a || inf_b) {
    if (is_zero(ua) || is_zero(ub)) return f.nan_code(false);
    return f.inf_code(negative);
  }
  if (is_zero(ua) || is_zero(ub)) return zero;

  // Each operand as an exponent field (possibly < 1 after normalising a
  // subnormal) and an m-bit mantissa field.
  int64_t field[2] = {0, 0};
  uint64_t mant[2] = {0, 0};
  const uint64_t codes[2] = {a, b};
  for (int i = 0; i < 2; ++i) {
    const uint64_t mag = codes[i] & f.magnitude_mask();
    field[i] = static_cast<int64_t>(mag >> m);
    mant[i] = mag & mant_mask;
    if (field[i] == 0) {  // subnormal (gradual): shift the leading one to bit m
      const int lead = 63 - count_leading_zeros64(mant[i]);
      field[i] = 1 - (m - lead);
      mant[i] = (mant[i] << (m - lead)) & mant_mask;
    }
  }
  // The integer add: exponent fields minus the bias, mantissa fields plus the offset.
  const uint64_t offset = offset_enabled ? uint64_t{1} << (m - lmul_offset_exponent(m)) : 0;
  const uint64_t msum = mant[0] + mant[1] + offset;  // f * 2^m
  int64_t out_field = field[0] + field[1] - f.bias;
  uint64_t sig = 0;  // significand with m + 1 + extra bits, leading one at bit m + extra
  int extra = 0;
  if (msum < (uint64_t{1} << m)) {
    sig = (uint64_t{1} << m) | msum;
  } else if (spec.carry == LmulCarry::int_add) {
    out_field += static_cast<int64_t>(msum >> m);  // the carry spills into the exponent
    sig = (uint64_t{1} << m) | (msum & mant_mask);
  } else {  // paper: (1 + f) in [2, 4): one more bit, one binade up
    sig = (uint64_t{1} << m) + msum;
    extra = 1;
    out_field += 1;
  }
  uint64_t mag = 0;
  if (out_field >= 1) {
    uint64_t s = detail::lmul_shift_rne(sig, extra);
    if (s >> (m + 1)) s >>= 1, out_field += 1;  // rounded up to the next binade (s was 2^(m+1))
    if (out_field > static_cast<int64_t>(f.max_finite_code() >> m) + 1) {
      mag = f.max_finite_code() + 1;  // certainly beyond the largest finite value
    } else {
      mag = (static_cast<uint64_t>(out_field) << m) | (s & mant_mask);
    }
  } else {
    if (flush) return zero;
    // Gradual: the value is sig * 2^(out_field - 1 - m - extra) in units of the
    // smallest subnormal 2^(min_exponent - m): shift by extra + 1 - out_field.
    const int64_t shift = extra + 1 - out_field;
    mag = detail::lmul_shift_rne(sig, shift > 64 ? 64 : static_cast<int>(shift));
    if (mag == 0) return zero;
  }
  if (mag > f.max_finite_code()) {
    const RoundingSpec rs{Rounding::nearest_even, spec.overflow, 0};
    return detail::overflow_result(f, negative, rs, false).code;
  }
  return mag | (negative ? f.sign_bit() : 0);
}

}  // namespace plumb
