// plumb reference: L-Mul in exact rational arithmetic (Boost cpp_rational),
// written from the paper's formula and docs/LMUL_SEMANTICS.md, not from the
// bit-pattern implementation in formats/lmul.hpp.
//
// An operand x != 0 is taken as (1 + x_m) * 2^(x_e) with x_m in [0, 1) (a
// subnormal under `gradual` is first normalised exactly). Then
//   f = x_m + y_m + 2^-l(m),  E = x_e + y_e,
//   paper:   v = (1 + f) * 2^E
//   int_add: c = floor(f),  v = (1 + f - c) * 2^(E + c)
// and v (exact; a dyadic rational of at most m + 2 significant bits) is stored
// into the format by the Boost conversion oracle, nearest-even.
#include <boost/multiprecision/cpp_int.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "plumb/reference/convert_reference.hpp"
#include "plumb/reference/lmul_reference.hpp"

namespace plumb::reference {
namespace {

using Rational = boost::multiprecision::cpp_rational;
using Int = boost::multiprecision::cpp_int;

// An operand read from its fields.
struct Operand {
  enum Class { zero, finite, infinite, nan } cls = zero;
  bool negative = false;
  Rational fraction;  // x_m, in [0, 1)
  long exponent = 0;  // x_e
};

Rational pow2(long e) {
  Int one = 1;
  return e >= 0 ? Rational(Int(one << e)) : Rational(Int(1), Int(one << -e));
}

void require_supported(const FormatDesc& f) {
  const bool encoding_ok = f.encoding == Encoding::ieee || f.encoding == Encoding::fn ||
                           f.encoding == Encoding::fnuz || f.encoding == Encoding::finite;
  if (!f.is_signed || f.ebits < 1 || f.ebits > 8 || f.mbits < 1 || f.mbits > 23 || !encoding_ok)
    throw std::invalid_argument(
        "L-Mul reference: the operand format must be a signed float with 1..8 exponent bits and "
        "1..23 mantissa bits");
}

Operand read(const FormatDesc& f, const LmulSpec& spec, uint64_t code) {
  const int m = f.mbits, bits = 1 + f.ebits + m;
  code &= (uint64_t{1} << bits) - 1;
  const uint64_t sign_bit = uint64_t{1} << (bits - 1);
  const uint64_t mant = code & ((uint64_t{1} << m) - 1);
  const uint64_t field = (code & ~sign_bit) >> m;
  const uint64_t top = (uint64_t{1} << f.ebits) - 1;
  Operand x;
  x.negative = (code & sign_bit) != 0;
  if (f.encoding == Encoding::ieee && field == top) {
    x.cls = mant == 0 ? Operand::infinite : Operand::nan;
    return x;
  }
  if (f.encoding == Encoding::fn && field == top && mant == (uint64_t{1} << m) - 1) {
    x.cls = Operand::nan;
    return x;
  }
  if (f.encoding == Encoding::fnuz && code == sign_bit) {
    x.cls = Operand::nan;
    return x;
  }
  const long min_exp = 1 - long{f.bias};
  if (field == 0) {
    if (mant == 0 || spec.subnormals == LmulSubnormals::flush) return x;  // zero
    // mant * 2^(min_exp - m) = (1 + (mant - 2^p) / 2^p) * 2^(min_exp - m + p)
    const int p = std::bit_width(mant) - 1;
    x.cls = Operand::finite;
    x.fraction = Rational(Int(mant - (uint64_t{1} << p)), Int(Int(1) << p));
    x.exponent = min_exp - m + p;
    return x;
  }
  x.cls = Operand::finite;
  x.fraction = Rational(Int(mant), Int(Int(1) << m));
  x.exponent = static_cast<long>(field) - f.bias;
  return x;
}

// A dyadic rational with a small numerator, exactly as a double.
double to_double_exact(const Rational& v) {
  Int num = boost::multiprecision::numerator(v);
  const Int den = boost::multiprecision::denominator(v);
  long shift = static_cast<long>(boost::multiprecision::msb(den));
  if (num != 0) {  // strip the numerator's factors of two: num = odd * 2^t
    const long t = static_cast<long>(boost::multiprecision::lsb(abs(num)));
    num >>= t;
    shift -= t;
  }
  if (den != (Int(1) << boost::multiprecision::msb(den)) || (num != 0 && boost::multiprecision::msb(abs(num)) >= 53))
    throw std::logic_error("L-Mul reference: value is not a short dyadic rational");
  return std::ldexp(num.convert_to<double>(), static_cast<int>(-shift));
}

uint64_t double_code(double v) {
  uint64_t c = 0;
  std::memcpy(&c, &v, sizeof c);
  return c;
}

uint64_t signed_zero(const FormatDesc& f, bool negative) {
  const bool has_neg_zero = f.encoding != Encoding::fnuz;
  return negative && has_neg_zero ? uint64_t{1} << (f.ebits + f.mbits) : 0;
}

}  // namespace

double lmul_exact_value(const FormatDesc& f, const LmulSpec& spec, uint64_t a, uint64_t b) {
  require_supported(f);
  const Operand x = read(f, spec, a), y = read(f, spec, b);
  const bool negative = x.negative != y.negative;
  const double sign = negative ? -1.0 : 1.0;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (x.cls == Operand::nan || y.cls == Operand::nan) return nan;
  if (x.cls == Operand::infinite || y.cls == Operand::infinite)
    return (x.cls == Operand::zero || y.cls == Operand::zero) ? nan : sign * HUGE_VAL;
  if (x.cls == Operand::zero || y.cls == Operand::zero) return sign * 0.0;

  const int m = f.mbits;
  const int l = m <= 3 ? m : (m == 4 ? 3 : 4);  // the paper's l(m)
  const Rational frac = x.fraction + y.fraction + pow2(-l);
  const long e = x.exponent + y.exponent;
  Rational v;
  if (spec.carry == LmulCarry::paper) {
    v = (1 + frac) * pow2(e);
  } else {
    const Int c = boost::multiprecision::numerator(frac) / boost::multiprecision::denominator(frac);
    const long carry = c.convert_to<long>();
    v = (1 + frac - carry) * pow2(e + carry);
  }
  return sign * to_double_exact(v);
}

uint64_t lmul_reference(const FormatDesc& f, const LmulSpec& spec, uint64_t a, uint64_t b) {
  const double v = lmul_exact_value(f, spec, a, b);
  const bool negative = std::signbit(v);
  if (std::isnan(v)) {  // canonical positive quiet NaN of the format
    switch (f.encoding) {
      case Encoding::ieee:
        return (((uint64_t{1} << f.ebits) - 1) << f.mbits) | (uint64_t{1} << (f.mbits - 1));
      case Encoding::fn: return (uint64_t{1} << (f.ebits + f.mbits)) - 1;
      case Encoding::fnuz: return uint64_t{1} << (f.ebits + f.mbits);
      default: throw std::logic_error("L-Mul reference: NaN in a format without NaN");
    }
  }
  if (std::isinf(v))
    return (negative ? uint64_t{1} << (f.ebits + f.mbits) : 0) |
           (((uint64_t{1} << f.ebits) - 1) << f.mbits);
  if (v == 0) return signed_zero(f, negative);
  if (spec.subnormals == LmulSubnormals::flush && std::fabs(v) < std::ldexp(1.0, 1 - f.bias))
    return signed_zero(f, negative);
  const FormatDesc fp64 = float_format(11, 52, Encoding::ieee);
  const RoundingSpec rs{Rounding::nearest_even, spec.overflow, 0};
  return boost_convert(fp64, f, double_code(v), rs).code;
}

LmulDotExact lmul_dot_reference(const FormatDesc& f, const LmulSpec& spec, const uint64_t* a,
                                const uint64_t* b, size_t k) {
  Rational sum = 0, abs_sum = 0;
  const FormatDesc fp64 = float_format(11, 52, Encoding::ieee);
  const RoundingSpec to_f64{Rounding::nearest_even, Overflow::infinity, 0};
  bool special = false;
  double special_sum = 0;
  for (size_t i = 0; i < k; ++i) {
    // The stored product, read back exactly through the conversion oracle.
    const uint64_t p = lmul_reference(f, spec, a[i], b[i]);
    const uint64_t wide = boost_convert(f, fp64, p, to_f64).code;
    double pv = 0;
    std::memcpy(&pv, &wide, sizeof pv);
    if (!std::isfinite(pv)) {
      special = true;
      special_sum += pv;
      continue;
    }
    const Rational r = pv == 0 ? Rational(0) : [&] {
      int e = 0;
      const double fr = std::frexp(pv, &e);  // pv = fr * 2^e, fr * 2^53 an integer
      return Rational(Int(static_cast<long long>(std::ldexp(fr, 53)))) * pow2(e - 53);
    }();
    sum += r;
    abs_sum += r < 0 ? Rational(-r) : r;
  }
  if (special) return {special_sum, std::fabs(special_sum)};
  return {sum.convert_to<double>(), abs_sum.convert_to<double>()};
}

}  // namespace plumb::reference
