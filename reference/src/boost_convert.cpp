// plumb reference: the second, independent conversion oracle, in exact
// Boost.Multiprecision integer arithmetic (cpp_int).
//
// Every finite value is held exactly as a dyadic rational sig * 2^exp with a
// cpp_int significand. Rounding follows docs/SEMANTICS.md step 4 literally:
// the quantum exponent Q = max(floor(log2 |x|), min_exponent) - mbits (0 for
// integers); n = floor(|x| / 2^Q) and the fraction f = rem / 2^s come from one
// exact shift; the mode decides between n and n + 1 quanta; the rounded value
// (n + up) 2^Q is compared with the largest finite value and encoded from its
// value (exponent and significand), not by stepping codes.
//
// It shares nothing with formats/ but FormatDesc's description fields and
// rounding.hpp's enums, and nothing with the MPFR oracle.
#include <boost/multiprecision/cpp_int.hpp>

#include <cstdint>

#include "plumb/reference/convert_reference.hpp"

namespace plumb::reference {
namespace {

using Int = boost::multiprecision::cpp_int;

// |x| = sig * 2^exp, or a special value.
struct Exact {
  enum Class { zero, finite, infinite, nan } cls = zero;
  bool negative = false;
  bool signaling = false;
  Int sig;
  long exp = 0;
};

// The format as a list of facts, from the description fields.
struct Target {
  const FormatDesc& f;
  bool integer, e8m0, is_signed;
  int m, bits;
  long min_exp;        // smallest normal exponent (e8m0: -bias)
  uint64_t sign_bit;   // 0 when unsigned
  uint64_t top_field;  // the exponent field's all-ones value
  explicit Target(const FormatDesc& d)
      : f(d),
        integer(d.encoding == Encoding::integer),
        e8m0(d.encoding == Encoding::e8m0),
        is_signed(d.is_signed),
        m(d.mbits),
        bits(d.bits()),
        min_exp(d.encoding == Encoding::e8m0 ? -long{d.bias} : 1 - long{d.bias}),
        sign_bit(d.is_signed ? uint64_t{1} << (d.bits() - 1) : 0),
        top_field((uint64_t{1} << d.ebits) - 1) {}
  uint64_t code_mask() const { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }
  bool has_infinity() const { return f.encoding == Encoding::ieee; }
  bool has_nan() const {
    switch (f.encoding) {
      case Encoding::ieee: return m > 0;
      case Encoding::fn:
      case Encoding::fnuz:
      case Encoding::e8m0: return true;
      default: return false;
    }
  }
  bool signed_zero() const {
    return is_signed && f.encoding != Encoding::fnuz && !integer;
  }
  // Largest finite magnitude as significand * 2^exponent, from the table.
  void largest(Int& sig, long& exponent) const {
    const long top = static_cast<long>(top_field) - f.bias;  // exponent of the all-ones field
    Int full = 0;                                            // 1.11..1, m + 1 ones
    boost::multiprecision::bit_set(full, m + 1);
    --full;
    switch (f.encoding) {
      case Encoding::integer:  // 2^(b-1) - 1 signed, 2^b - 1 unsigned
        sig = full >> 1;
        exponent = 0;
        return;
      case Encoding::ieee: sig = full, exponent = top - 1 - m; return;  // field all ones is inf/NaN
      case Encoding::e8m0: sig = 1, exponent = top - 1; return;
      case Encoding::fn:  // S.1..1.1..1 is NaN
        if (m > 0) sig = full - 1, exponent = top - m;
        else sig = top_field > 1 ? 1 : 0, exponent = top - 1;
        return;
      default: sig = full, exponent = top - m; return;  // fnuz, finite: all codes finite
    }
  }
};

// Decodes a code of format d into its exact value.
Exact decode(const FormatDesc& d, uint64_t code) {
  const Target t(d);
  Exact x;
  code &= t.code_mask();
  if (t.integer) {  // two's complement when signed
    x.negative = t.is_signed && (code & t.sign_bit);
    const uint64_t mag = x.negative ? ((~code + 1) & t.code_mask()) : code;
    if (mag != 0) x.cls = Exact::finite, x.sig = mag;
    return x;
  }
  if (t.e8m0) {
    if (code == t.code_mask()) return x.cls = Exact::nan, x;
    x.cls = Exact::finite, x.sig = 1, x.exp = static_cast<long>(code) - d.bias;
    return x;
  }
  x.negative = (code & t.sign_bit) != 0;
  const uint64_t mag = code & ~t.sign_bit;
  const uint64_t mant = mag & ((uint64_t{1} << t.m) - 1);
  const uint64_t field = mag >> t.m;
  if (d.encoding == Encoding::ieee && field == t.top_field) {
    x.cls = mant == 0 ? Exact::infinite : Exact::nan;
    x.signaling = mant != 0 && !((mant >> (t.m - 1)) & 1);
    return x;
  }
  if (d.encoding == Encoding::fn && mag == (t.code_mask() & ~t.sign_bit)) return x.cls = Exact::nan, x;
  if (d.encoding == Encoding::fnuz && t.sign_bit && code == t.sign_bit) {
    x.cls = Exact::nan;  // 1000..0, whose sign bit is set
    return x;
  }
  if (field == 0) {  // zero or subnormal
    if (mant == 0) return x;
    x.cls = Exact::finite, x.sig = mant, x.exp = t.min_exp - t.m;
    return x;
  }
  x.cls = Exact::finite;
  x.sig = (uint64_t{1} << t.m) + mant;
  x.exp = static_cast<long>(field) - d.bias - t.m;
  return x;
}

long floor_log2(const Int& v) { return static_cast<long>(boost::multiprecision::msb(v)); }

// a * 2^ea compared with b * 2^eb (a, b >= 0): -1, 0 or 1.
int compare(const Int& a, long ea, const Int& b, long eb) {
  if (a == 0 || b == 0) return a == b ? 0 : (a == 0 ? -1 : 1);
  const long ta = floor_log2(a) + ea, tb = floor_log2(b) + eb;
  if (ta != tb) return ta < tb ? -1 : 1;
  const Int l = ea >= eb ? Int(a << (ea - eb)) : a;
  const Int r = eb >= ea ? Int(b << (eb - ea)) : b;
  return l < r ? -1 : (l > r ? 1 : 0);
}

// v * 2^s for an exact result (s may be negative).
uint64_t scaled(const Int& v, long s) {
  return (s >= 0 ? Int(v << s) : Int(v >> -s)).convert_to<uint64_t>();
}

// ---------------------------------------------------------------- results --

ReferenceResult nan_of(const Target& t, bool negative, uint8_t flags) {
  if (!t.has_nan()) return {0, static_cast<uint8_t>(flags | kNoEncoding | kInvalid)};
  switch (t.f.encoding) {
    case Encoding::ieee:  // quiet: only the mantissa's top bit
      return {(negative ? t.sign_bit : 0) | (t.top_field << t.m) | (uint64_t{1} << (t.m - 1)), flags};
    case Encoding::fn: return {negative ? t.code_mask() : t.code_mask() & ~t.sign_bit, flags};
    case Encoding::fnuz: return {t.sign_bit, flags};
    default: return {t.code_mask(), flags};  // e8m0
  }
}

// +-max finite; for integers the largest or the smallest integer.
uint64_t saturated(const Target& t, bool negative) {
  if (t.integer) return negative ? t.sign_bit : t.code_mask() & ~t.sign_bit;
  Int sig;
  long e = 0;
  t.largest(sig, e);
  const uint64_t s = negative ? t.sign_bit : 0;
  if (sig == 0) return s;
  if (t.e8m0) return static_cast<uint64_t>(e + t.f.bias);
  const long top = floor_log2(sig) + e;
  if (top < t.min_exp) return s | scaled(sig, e - (t.min_exp - t.m));
  return s | (static_cast<uint64_t>(top + t.f.bias) << t.m) |
         (scaled(sig, e - (top - t.m)) - (uint64_t{1} << t.m));
}

ReferenceResult unsigned_negative(const Target& t, const RoundingSpec& spec) {
  if (spec.overflow == Overflow::saturate) return {0, kInvalid | kInexact};
  return nan_of(t, false, kInvalid);
}

// Step 5 (and step 2 for an infinity the format lacks), flags but overflow.
ReferenceResult beyond_range(const Target& t, bool negative, const RoundingSpec& spec, bool inf_in) {
  bool infinite = false;
  switch (spec.overflow) {
    case Overflow::saturate: infinite = false; break;
    case Overflow::nan: infinite = true; break;
    case Overflow::infinity: {
      const Rounding r = spec.rounding;
      infinite = inf_in || !(r == Rounding::toward_zero || r == Rounding::odd ||
                             (r == Rounding::upward && negative) ||
                             (r == Rounding::downward && !negative));
      break;
    }
  }
  if (!infinite) return {saturated(t, negative), static_cast<uint8_t>(inf_in ? kInexact : 0)};
  if (spec.overflow == Overflow::infinity && t.has_infinity())
    return {(negative ? t.sign_bit : 0) | (t.top_field << t.m), 0};
  return nan_of(t, negative, kInvalid);
}

}  // namespace

ReferenceResult boost_convert(const FormatDesc& from, const FormatDesc& to, uint64_t code,
                              const RoundingSpec& spec, uint32_t rbits) {
  const Target t(to);
  const Exact x = decode(from, code);
  const bool neg = x.negative;
  if (x.cls == Exact::nan) return nan_of(t, neg, x.signaling ? kInvalid : 0);
  if (x.cls == Exact::infinite) {
    if (neg && !t.is_signed) return unsigned_negative(t, spec);
    if (t.has_infinity()) return {(neg ? t.sign_bit : 0) | (t.top_field << t.m), 0};
    return beyond_range(t, neg, spec, true);
  }
  if (x.cls == Exact::zero) {
    if (t.e8m0) return {0, kInexact | kUnderflow};
    return {neg && t.signed_zero() ? t.sign_bit : 0, 0};
  }

  // Step 4: Q, n = floor(|x| / 2^Q) and f = rem / 2^s.
  const long e = floor_log2(x.sig) + x.exp;
  const long q = t.integer ? 0 : (e > t.min_exp ? e : t.min_exp) - t.m;
  Int n, rem;
  long s = 0;
  if (x.exp >= q) {
    n = x.sig << (x.exp - q);
  } else {
    s = q - x.exp;
    n = x.sig >> s;
    rem = x.sig - (n << s);
  }
  const bool inexact = rem != 0;
  // f against 1/2: rem against 2^(s-1).
  int vs_half = -1;
  if (inexact && floor_log2(rem) == s - 1)
    vs_half = boost::multiprecision::lsb(rem) == static_cast<unsigned>(s - 1) ? 0 : 1;
  const bool n_odd = boost::multiprecision::bit_test(n, 0);
  bool up = false;
  switch (spec.rounding) {
    case Rounding::nearest_even: up = vs_half > 0 || (vs_half == 0 && n_odd); break;
    case Rounding::nearest_away: up = vs_half >= 0; break;
    case Rounding::toward_zero: break;
    case Rounding::upward: up = inexact && !neg; break;
    case Rounding::downward: up = inexact && neg; break;
    case Rounding::odd: up = inexact && !n_odd; break;
    case Rounding::stochastic: {
      const unsigned k = spec.sr_bits;
      const Int r = Int(rbits) & ((Int(1) << k) - 1);
      up = inexact && ((rem << k) >> s) + r >= (Int(1) << k);
      break;
    }
  }
  const Int rounded = n + (up ? 1 : 0);

  uint8_t flags = inexact ? kInexact : 0;
  if (inexact && !t.integer && e < t.min_exp) flags |= kUnderflow;  // tiny before rounding
  if (rounded == 0) {
    if (t.e8m0) return {0, static_cast<uint8_t>(flags | kUnderflow)};
    return {neg && t.signed_zero() ? t.sign_bit : 0, flags};
  }
  if (neg && !t.is_signed) return unsigned_negative(t, spec);

  // Step 5: the rounded value against the largest one of its sign.
  Int max_sig;
  long max_exp = 0;
  t.largest(max_sig, max_exp);
  if (t.integer && neg) max_sig += 1;  // two's complement reaches -2^(b-1)
  if (compare(rounded, q, max_sig, max_exp) > 0) {
    ReferenceResult r = beyond_range(t, neg, spec, false);
    r.flags |= flags | kOverflow | kInexact;  // tiny and overflowing: only e1m0fn
    return r;
  }

  // Encode the value rounded * 2^q from its exponent and significand.
  if (t.integer) {
    const uint64_t v = rounded.convert_to<uint64_t>();
    return {neg ? (~v + 1) & t.code_mask() : v, flags};
  }
  const uint64_t sign = neg ? t.sign_bit : 0;
  const long top = floor_log2(rounded) + q;
  if (!t.e8m0 && top < t.min_exp)  // subnormal: counts of 2^(min_exp - m)
    return {sign | scaled(rounded, q - (t.min_exp - t.m)), flags};
  const uint64_t field = static_cast<uint64_t>(top + to.bias);
  const uint64_t mantissa = t.m == 0 ? 0 : scaled(rounded, q - (top - t.m)) - (uint64_t{1} << t.m);
  return {sign | (field << t.m) | mantissa, flags};
}

}  // namespace plumb::reference
