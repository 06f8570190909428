// plumb reference: the TABLE ORACLE, a third, device-usable oracle for
// conversions into formats of at most 8 bits.
//
// It shares nothing with formats/ but FormatDesc's description fields (ebits,
// mbits, bias, is_signed, encoding) and rounding.hpp's enums, and nothing with
// the MPFR and Boost oracles. Method: every finite value of the target,
// sorted, with its code; the input (exact in double: any fp32/fp16/bf16 value)
// is placed between its two neighbours by binary search (started from a
// per-fp32-exponent index), and the rounding decision is made from exact
// double arithmetic: the quantum a - z = 2^Q, the fraction (|x| - z) / 2^Q
// and n = z / 2^Q of these narrow formats are all exact in double. Past the largest finite value of each sign, the
// neighbour is the value one step above it at unbounded exponent (e4m3fn 480,
// e5m2 65536, int8 128 and -129, ue8m0 2^128): rounding up to it overflows.
// docs/SEMANTICS.md is its specification. Validated against MPFR on the CPU
// (the "table" oracle of the oracle_agreement rows), then used on the GPU to
// check every fp32 input.
//
// Header-only. The conversion is PLUMB_HD and uses no library call on the
// device (the fp32 code is decoded with integer arithmetic); make_table_oracle
// is host code. The table is plain data (< 4 KiB), to be copied to the device
// as is (a kernel argument, constant or global memory).
#pragma once

#include <cmath>  // fabs; std::ldexp (host, make_table_oracle)
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/host_device.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::reference {

struct TableOracle {
  FormatDesc to{};
  int count = 0;           // number of finite values, ascending in `values`
  double values[256];      // every finite value once (+0 for +-0); +infinity past count
  uint16_t codes[256];     // the code of each value (+0's code for zero)
  // Facts derived by make_table_oracle from the description fields and
  // SEMANTICS.md's table (never from FormatDesc's helpers).
  double above[2] = {0, 0};  // magnitude one step past the largest finite one, for x >= 0 and x < 0
  double step = 0;           // the first magnitude above zero on the grid (negatives into unsigned)
  double tiny = 0;           // 2^min_exponent: smaller nonzero |x| is tiny (0 for integers)
  uint16_t max_code[2] = {0, 0};   // saturation: +max, -max (signed integers: the smallest)
  uint16_t zero_code[2] = {0, 0};  // +0; -0 where the format has it, else +0 (e8m0: its smallest value)
  uint16_t nan_code[2] = {0, 0};   // canonical NaN for x >= 0 and x < 0 (sign where the NaN has one)
  uint16_t inf_code[2] = {0, 0};
  // Where the binary search starts: for the inputs of one fp32 sign and
  // exponent field (bucket = code >> 23), the number of values <= x is
  // first[bucket] + (0 .. 2 search_half - 1); search_half is a power of two, or 0.
  uint16_t first[512] = {};
  int search_half = 0;
  bool is_signed = true;
  bool has_nan = false;
  bool has_inf = false;
  bool no_zero = false;  // e8m0: zero gives the smallest value with inexact | underflow
};
static_assert(sizeof(TableOracle) <= 4096, "the table oracle is copied to the device as is");
static_assert(std::is_trivially_copyable_v<TableOracle>, "the table oracle is plain data");

// Host: builds the table; false when `to` has more than 8 bits (or is not a
// format SEMANTICS.md describes: a signed e8m0, an e8m0 with mantissa bits;
// or its values leave 2^-1000 .. 2^1000, where double stops being exact).
inline bool make_table_oracle(const FormatDesc& to, TableOracle& out);

struct TableResult {
  uint64_t code = 0;
  uint8_t flags = 0;
};

// Host and device. The input is an fp32 code (fp16/bf16 inputs are widened
// to fp32 exactly by the caller: table_oracle_fp16_to_fp32 / _bf16_to_fp32).
PLUMB_HD inline TableResult table_oracle_convert_fp32(const TableOracle& t, uint32_t fp32_code,
                                                      const RoundingSpec& spec, uint32_t rbits);

// Exact widenings of fp16 and bf16 codes into fp32 codes (integer arithmetic;
// NaN payloads, quiet bits and signs are kept).
PLUMB_HD inline uint32_t table_oracle_fp16_to_fp32(uint32_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t field = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (field == 0x1fu) return sign | 0x7f800000u | (mant << 13);
  if (field != 0) return sign | ((field - 15 + 127) << 23) | (mant << 13);
  if (mant == 0) return sign;
  int exponent = -14;  // subnormal: mant 2^-24 = (mant / 2^10) 2^-14, normalised
  while ((mant & 0x400u) == 0) mant <<= 1, --exponent;
  return sign | (static_cast<uint32_t>(exponent + 127) << 23) | ((mant & 0x3ffu) << 13);
}
PLUMB_HD inline uint32_t table_oracle_bf16_to_fp32(uint32_t b) { return (b & 0xffffu) << 16; }

// ------------------------------------------------------------ implementation --

namespace table_detail {

PLUMB_HD inline double double_from_bits(uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
#endif
}

PLUMB_HD inline uint64_t bits_of_double(double d) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(d));
#else
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
#endif
}

// 1 / q for a power of two q = 2^Q (|Q| <= 1022), exactly: 2^-Q by its bits.
PLUMB_HD inline double reciprocal_of_power_of_two(double q) {
  return double_from_bits(0x7fe0000000000000ull - bits_of_double(q));
}

// 2^e for -1022 <= e <= 1023, exactly.
PLUMB_HD inline double pow2(int e) { return double_from_bits(static_cast<uint64_t>(e + 1023) << 52); }

// x of a finite nonzero fp32 code, exactly (fp32 subnormals are normal in double).
PLUMB_HD inline double fp32_value(uint32_t c) {
  uint32_t mant = c & 0x7fffffu;
  int exponent = static_cast<int>((c >> 23) & 0xffu) - 127;
  if (exponent == -127) {  // subnormal: mant 2^-149 = (mant / 2^23) 2^-126, normalised
    exponent = -126;
    while ((mant & 0x800000u) == 0) mant <<= 1, --exponent;
    mant &= 0x7fffffu;
  }
  return double_from_bits((static_cast<uint64_t>(c >> 31) << 63) | (static_cast<uint64_t>(exponent + 1023) << 52) |
                          (static_cast<uint64_t>(mant) << 29));
}

// SEMANTICS.md step 4: whether the magnitude a (rather than z) is the result,
// for consecutive grid magnitudes z < |x| = ax < a (a - z is the quantum 2^Q).
PLUMB_HD inline bool round_up(double ax, double z, double a, bool negative, const RoundingSpec& spec,
                              uint32_t rbits) {
  const double per_quantum = reciprocal_of_power_of_two(a - z);  // 2^-Q: a - z is the quantum 2^Q
  const double f = (ax - z) * per_quantum;                       // the fraction in (0, 1), exact
  const bool n_odd = (static_cast<uint32_t>(z * per_quantum) & 1u) != 0;  // n = z / 2^Q, exact
  switch (spec.rounding) {
    case Rounding::nearest_even: return (f > 0.5) | ((f == 0.5) & n_odd);  // bitwise: no branch
    case Rounding::nearest_away: return f >= 0.5;
    case Rounding::toward_zero: return false;
    case Rounding::upward: return !negative;
    case Rounding::downward: return negative;
    case Rounding::odd: return !n_odd;
    case Rounding::stochastic: {
      // up iff floor(f 2^k) + r >= 2^k, r the low k bits of rbits.
      const int k = spec.sr_bits > 64 ? 64 : spec.sr_bits;
      const uint64_t r = k >= 32 ? rbits : rbits & ((uint32_t{1} << k) - 1);
      const uint64_t fk = static_cast<uint64_t>(f * pow2(k));  // f 2^k < 2^k: truncation is floor
      if (k == 64) return r != 0 && fk >= uint64_t{0} - r;
      return fk + r >= (uint64_t{1} << k);
    }
  }
  return false;
}

PLUMB_HD inline TableResult nan_result(const TableOracle& t, bool negative, uint8_t flags) {
  if (!t.has_nan) return {0, static_cast<uint8_t>(flags | kInvalid | kNoEncoding)};
  return {t.nan_code[negative ? 1 : 0], flags};
}

// Step 4's unsigned-target rule (it also takes -infinity, step 2).
PLUMB_HD inline TableResult negative_into_unsigned(const TableOracle& t, const RoundingSpec& spec) {
  if (spec.overflow == Overflow::saturate) return {t.zero_code[0], kInexact | kInvalid};  // 0; e8m0 2^-bias
  return nan_result(t, false, kInvalid);
}

// Step 5. `flags` holds what else applies (underflow where x is tiny).
PLUMB_HD inline TableResult overflow_result(const TableOracle& t, bool negative, const RoundingSpec& spec,
                                            uint8_t flags) {
  flags |= kOverflow | kInexact;
  bool to_infinity = spec.overflow == Overflow::nan;
  if (spec.overflow == Overflow::infinity) {
    switch (spec.rounding) {
      case Rounding::toward_zero:
      case Rounding::odd: to_infinity = false; break;
      case Rounding::upward: to_infinity = !negative; break;
      case Rounding::downward: to_infinity = negative; break;
      default: to_infinity = true; break;
    }
  }
  if (!to_infinity) return {t.max_code[negative ? 1 : 0], flags};
  if (spec.overflow == Overflow::infinity && t.has_inf) return {t.inf_code[negative ? 1 : 0], flags};
  return nan_result(t, negative, static_cast<uint8_t>(flags | kInvalid));
}

}  // namespace table_detail

PLUMB_HD inline TableResult table_oracle_convert_fp32(const TableOracle& t, uint32_t fp32_code,
                                                      const RoundingSpec& spec, uint32_t rbits) {
  using namespace table_detail;
  const bool neg = (fp32_code >> 31) != 0;
  const int s = neg ? 1 : 0;
  const uint32_t field = (fp32_code >> 23) & 0xffu, mant = fp32_code & 0x7fffffu;
  if (field == 0xffu) {
    if (mant != 0) return nan_result(t, neg, (mant >> 22) != 0 ? 0 : kInvalid);  // step 1
    // Step 2: infinity.
    if (neg && !t.is_signed) return negative_into_unsigned(t, spec);
    if (t.has_inf) return {t.inf_code[s], 0};
    if (spec.overflow == Overflow::saturate) return {t.max_code[s], kInexact};
    return nan_result(t, neg, kInvalid);
  }
  if (field == 0 && mant == 0) {  // step 3
    if (t.no_zero) return {t.zero_code[0], kInexact | kUnderflow};
    return {t.zero_code[s], 0};
  }

  // Step 4: finite nonzero x.
  // (The sign is data here, not control flow: x's sign on random inputs is
  // unpredictable; so is the rounding direction.)
  const double x = fp32_value(fp32_code), ax = fabs(x);
  const uint8_t under = ax < t.tiny ? kUnderflow : 0;  // step 6: tininess before rounding
  const uint8_t inexact = static_cast<uint8_t>(kInexact | under);
  if (neg & !t.is_signed) {
    // The grid mirrored below zero: only a zero magnitude fits.
    if (ax >= t.step || round_up(ax, 0.0, t.step, true, spec, rbits)) return negative_into_unsigned(t, spec);
    return {t.zero_code[0], inexact};
  }
  if (ax >= t.above[s]) return overflow_result(t, neg, spec, under);  // every rounding is past the limit

  // i: the last index with values[i] <= x, or -1. A branchless binary search
  // from the start that x's fp32 sign and exponent give, in a fixed number
  // of steps for the table; probes past `count` are never <= x.
  int below = t.first[fp32_code >> 23];  // the number of values <= x
  for (int half = t.search_half; half >= 1; half >>= 1) {
    const int probe = below + half - 1;
    below += half * static_cast<int>((probe < t.count) & (t.values[probe < 256 ? probe : 255] <= x));
  }
  const int i = below - 1;
  if (i >= 0 && t.values[i] == x) return {t.codes[i], 0};  // exact

  // The neighbours toward zero (zi) and away from zero (ai). Off the table:
  // zi = -1 is e8m0's missing zero; ai past either end is the step past the
  // largest magnitude of x's sign.
  const int zi = i + s, ai = i + 1 - s;
  const bool z_off = zi < 0, a_off = ai < 0 || ai >= t.count;
  const double z = z_off ? 0.0 : fabs(t.values[zi]);
  const double a = a_off ? t.above[s] : fabs(t.values[ai]);
  const bool up = round_up(ax, z, a, neg, spec, rbits);
  if (a_off && up) return overflow_result(t, neg, spec, under);
  if (z_off && !up) return {t.zero_code[0], inexact};  // e8m0 below its range: its smallest value
  const int j = zi + (ai - zi) * static_cast<int>(up);
  // Zero magnitude: a signed zero (step 3); the table holds +0 only.
  return {t.values[j] == 0 ? t.zero_code[s] : t.codes[j], inexact};
}

// ------------------------------------------------------------------- host --

inline bool make_table_oracle(const FormatDesc& to, TableOracle& out) {
  const bool integer = to.encoding == Encoding::integer, e8m0 = to.encoding == Encoding::e8m0;
  const int bits = (to.is_signed ? 1 : 0) + to.ebits + to.mbits;
  if (bits < 1 || bits > 8) return false;
  if (e8m0 && (to.is_signed || to.mbits != 0)) return false;
  if (!integer && (to.bias < -900 || to.bias > 900)) return false;  // values far outside double's exact range

  out = TableOracle{};
  out.to = to;
  for (double& v : out.values) v = HUGE_VAL;  // +infinity: past every input of the search
  std::memset(out.codes, 0, sizeof out.codes);
  const uint32_t ncodes = 1u << bits;
  const uint32_t sign = to.is_signed ? 1u << (bits - 1) : 0;
  const uint32_t magnitude_ones = (ncodes - 1) & ~sign;
  const uint32_t field_ones = (1u << to.ebits) - 1;
  const int m = to.mbits;
  const int min_exp = e8m0 ? -to.bias : 1 - to.bias;

  // The value of a magnitude code k at unbounded exponent (SEMANTICS.md:
  // normal (1 + M/2^m) 2^(E - bias), subnormal M/2^m 2^(1 - bias); e8m0 2^(k - bias)).
  auto magnitude_value = [&](uint32_t k) -> double {
    if (integer) return static_cast<double>(k);
    if (e8m0) return std::ldexp(1.0, static_cast<int>(k) - to.bias);
    const uint32_t e = k >> m, mant = k & ((1u << m) - 1);
    if (e == 0) return std::ldexp(static_cast<double>(mant), min_exp - m);
    return std::ldexp(static_cast<double>((1u << m) | mant), static_cast<int>(e) - to.bias - m);
  };

  // Every finite code once, with its value.
  int n = 0;
  for (uint32_t c = 0; c < ncodes; ++c) {
    double v = 0;
    if (integer) {
      v = (c & sign) != 0 ? static_cast<double>(c) - static_cast<double>(ncodes) : static_cast<double>(c);
    } else if (e8m0) {
      if (c == ncodes - 1) continue;  // all ones: NaN
      v = magnitude_value(c);
    } else {
      const uint32_t k = c & ~sign;
      switch (to.encoding) {
        case Encoding::ieee:
          if ((k >> m) == field_ones) continue;  // infinity, NaN
          break;
        case Encoding::fn:
          if (k == magnitude_ones) continue;  // S.1..1.1..1: NaN
          break;
        case Encoding::fnuz:
          if (c == 1u << (bits - 1)) continue;  // 1000..0: NaN
          break;
        default: break;
      }
      if (k == 0 && (c & sign) != 0) continue;  // -0: zero appears once, as +0
      v = magnitude_value(k);
      if ((c & sign) != 0) v = -v;
    }
    // Insertion into the ascending list.
    int j = n++;
    for (; j > 0 && out.values[j - 1] > v; --j) {
      out.values[j] = out.values[j - 1];
      out.codes[j] = out.codes[j - 1];
    }
    out.values[j] = v;
    out.codes[j] = static_cast<uint16_t>(c);
  }
  if (n == 0) return false;
  out.count = n;

  const uint16_t top = out.codes[n - 1];  // the largest finite value's code (sign clear)
  out.above[0] = magnitude_value(top + 1u);
  out.above[1] = integer ? -out.values[0] + 1 : out.above[0];  // signed integers: one more below
  out.step = magnitude_value(e8m0 ? 0 : 1);  // e8m0: 2^-bias, its smallest value
  out.tiny = integer ? 0.0 : std::ldexp(1.0, min_exp);
  if (!(out.step >= 0x1p-1000 && out.above[0] <= 0x1p1000)) return false;

  // The search's start for each fp32 sign and exponent field: the number of
  // values <= the bucket's smallest input, and the widest bucket's spread.
  auto count_le = [&](double x) {
    int c = 0;
    while (c < n && out.values[c] <= x) ++c;
    return c;
  };
  int widest = 0;
  for (uint32_t bucket = 0; bucket < 512; ++bucket) {
    const bool negative = bucket >= 256;
    const uint32_t e = bucket & 0xffu;
    if (e == 0xffu) continue;  // infinity and NaN: never searched
    const double small = e == 0 ? std::ldexp(1.0, -149) : std::ldexp(1.0, static_cast<int>(e) - 127);
    const double large = e == 0 ? std::ldexp(static_cast<double>(0x7fffff), -149)
                                : std::ldexp(static_cast<double>(0xffffff), static_cast<int>(e) - 150);
    const int lo = negative ? count_le(-large) : count_le(small);
    const int hi = negative ? count_le(-small) : count_le(large);
    out.first[bucket] = static_cast<uint16_t>(lo);
    if (hi - lo > widest) widest = hi - lo;
  }
  while (2 * out.search_half - 1 < widest) out.search_half = out.search_half == 0 ? 1 : 2 * out.search_half;
  out.is_signed = to.is_signed;
  out.no_zero = e8m0;

  out.max_code[0] = top;
  out.max_code[1] = integer ? out.codes[0] : static_cast<uint16_t>(sign | top);
  const bool negative_zero = to.is_signed && (to.encoding == Encoding::ieee || to.encoding == Encoding::fn ||
                                              to.encoding == Encoding::finite);
  out.zero_code[1] = static_cast<uint16_t>(negative_zero ? sign : 0);

  out.has_inf = to.encoding == Encoding::ieee;
  out.inf_code[0] = static_cast<uint16_t>(field_ones << m);
  out.inf_code[1] = static_cast<uint16_t>(sign | (field_ones << m));
  switch (to.encoding) {
    case Encoding::ieee:  // quiet: only the mantissa's top bit
      out.has_nan = m >= 1;
      if (m >= 1) {
        out.nan_code[0] = static_cast<uint16_t>((field_ones << m) | (1u << (m - 1)));
        out.nan_code[1] = static_cast<uint16_t>(sign | out.nan_code[0]);
      }
      break;
    case Encoding::fn:
      out.has_nan = true;
      out.nan_code[0] = static_cast<uint16_t>(magnitude_ones);
      out.nan_code[1] = static_cast<uint16_t>(sign | magnitude_ones);
      break;
    case Encoding::fnuz:  // 1000..0, one NaN
      out.has_nan = true;
      out.nan_code[0] = out.nan_code[1] = static_cast<uint16_t>(1u << (bits - 1));
      break;
    case Encoding::e8m0:  // all ones
      out.has_nan = true;
      out.nan_code[0] = out.nan_code[1] = static_cast<uint16_t>(ncodes - 1);
      break;
    default: break;  // finite, integer: no NaN
  }
  return true;
}

}  // namespace plumb::reference
