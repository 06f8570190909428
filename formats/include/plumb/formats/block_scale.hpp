// plumb formats: the scalar pieces of block-scaled quantisation, host and
// device (docs/BLOCK_SEMANTICS.md is the specification): the counter-based
// random words, the fp32 operations of the NV rules, the MX scale exponent of
// each rule, the NV tensor scale, and exact "a * b / d rounded once" values.
//
// fp32 arithmetic: every fp32 operation of the specification goes through
// f32_add / f32_sub / f32_mul / f32_div: __fadd_rn & co. on the device (never
// contracted into FMA), plain float operations on the host (x86-64: SSE, no
// excess precision). None of the host sequences has the a * b + c shape that a
// compiler could contract, except +-x_j + v, whose product is exact.
#pragma once

#include <cstdint>
#if !defined(__CUDA_ARCH__)
#include <bit>
#endif

#include "plumb/formats/block_format.hpp"
#include "plumb/formats/round_to_format.hpp"

namespace plumb {

// ---- random words ----------------------------------------------------------

inline constexpr uint64_t kSplitmixGamma = 0x9E3779B97F4A7C15ull;

PLUMB_HD constexpr uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The stochastic-rounding word of element `index` (row-major r * cols + c).
PLUMB_HD constexpr uint32_t block_rbits(uint64_t seed, uint64_t index) {
  return static_cast<uint32_t>(
      splitmix64_mix((seed ^ 0x5eed5eed5eedull) + (index + 1) * kSplitmixGamma) >> 32);
}

// The Hadamard sign word: bit j set means s_j = -1 (j = 0..15).
PLUMB_HD constexpr uint32_t hadamard_sign_word(uint64_t seed) {
  return static_cast<uint32_t>(splitmix64_mix(seed + kSplitmixGamma) & 0xFFFFu);
}

// ---- fp32 ------------------------------------------------------------------

// The named descriptors by value: device code may not refer to the host's
// namespace-scope constants, but may copy a constexpr one.
PLUMB_HD constexpr FormatDesc fp32_format() {
  constexpr FormatDesc f = formats::fp32;
  return f;
}
PLUMB_HD constexpr FormatDesc ue4m3_format() {
  constexpr FormatDesc f = formats::ue4m3;
  return f;
}

inline constexpr uint32_t kF32MaxBits = 0x7F7FFFFFu;
inline constexpr uint32_t kF32CanonicalNaN = 0x7FC00000u;

PLUMB_HD inline uint32_t f32_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  return std::bit_cast<uint32_t>(x);
#endif
}
PLUMB_HD inline float f32_from_bits(uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(b);
#else
  return std::bit_cast<float>(b);
#endif
}
PLUMB_HD inline float f32_add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
PLUMB_HD inline float f32_sub(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fsub_rn(a, b);
#else
  return a - b;
#endif
}
PLUMB_HD inline float f32_mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
PLUMB_HD inline float f32_div(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
PLUMB_HD inline bool f32_is_finite(uint32_t bits) { return (bits & 0x7F800000u) != 0x7F800000u; }
PLUMB_HD inline bool f32_is_nan(uint32_t bits) { return (bits & 0x7FFFFFFFu) > 0x7F800000u; }
// min(x, FLT_MAX) for x >= 0 or +inf.
PLUMB_HD inline float f32_min_max(float x) {
  const float m = f32_from_bits(kF32MaxBits);
  return x > m ? m : x;
}
// The exact value of an Unpacked as an fp32 (one rounding, overflow to inf).
PLUMB_HD inline float f32_of(const Unpacked& u) {
  return f32_from_bits(static_cast<uint32_t>(
      round_to_format(fp32_format(), u, RoundingSpec{Rounding::nearest_even, Overflow::infinity, 0})
          .code));
}

PLUMB_HD constexpr int bit_length64(uint64_t x) { return x == 0 ? 0 : 64 - count_leading_zeros64(x); }

// ---- the element's largest value -------------------------------------------

// max_elem = odd * 2^exp (odd: the significand without trailing zeros); emax =
// floor(log2 max_elem); width = the significand width of the EVEN rule.
struct ElementMax {
  uint64_t odd = 1;
  int exp = 0;
  int emax = 0;
  int width = 1;
};

PLUMB_HD constexpr ElementMax element_max(const BlockFormat& f) {
  const Unpacked m = unpack(f.element, f.element.max_finite_code());
  ElementMax r;
  r.odd = m.significand == 0 ? 1 : m.significand;
  r.exp = m.exponent + f.element_shift;
  while ((r.odd & 1) == 0) r.odd >>= 1, ++r.exp;
  r.emax = r.exp + bit_length64(r.odd) - 1;
  r.width = f.element.is_integer() ? f.element.mbits : f.element.mbits + 1;
  return r;
}

PLUMB_HD inline float element_max_f32(const ElementMax& m) {
  Unpacked u;
  u.value_class = ValueClass::normal;
  u.significand = m.odd;
  u.exponent = m.exp;
  return f32_of(u);
}

// ---- MX scale exponent -------------------------------------------------------

inline constexpr int kMxScaleMinExp = -127;
inline constexpr int kMxScaleMaxExp = 127;

// The ue8m0 exponent e of a block whose amax is the finite fp32 |x| `amax_bits`
// (sign clear). amax = 0 gives -127.
PLUMB_HD constexpr int mx_scale_exponent(ScaleRule rule, uint32_t amax_bits, const ElementMax& m) {
  amax_bits &= 0x7FFFFFFFu;
  if (amax_bits == 0) return kMxScaleMinExp;
  // amax = sig * 2^(f - 23), sig in [2^23, 2^24): f = floor(log2 amax).
  const uint32_t field = amax_bits >> 23;
  uint64_t sig = amax_bits & 0x7FFFFFu;
  int f = 0;
  if (field != 0) {
    sig |= 1u << 23;
    f = static_cast<int>(field) - 127;
  } else {
    const int len = bit_length64(sig);
    f = len - 1 - 149;
    sig <<= 24 - len;
  }
  int e = f - m.emax;
  switch (rule) {
    case ScaleRule::floor: break;
    case ScaleRule::ceil: e += sig != (uint64_t{1} << 23) ? 1 : 0; break;
    case ScaleRule::even:  // half-up rounding to `width` bits carries into the next binade
      if (m.width < 24 && sig >= (uint64_t{1} << 24) - (uint64_t{1} << (23 - m.width))) ++e;
      break;
    case ScaleRule::rceil: {  // e = f - emax, plus one when amax > max_elem * 2^(f - emax)
      const uint64_t max_sig = m.odd << (24 - bit_length64(m.odd));
      e += sig > max_sig ? 1 : 0;
      break;
    }
    default: break;
  }
  return e < kMxScaleMinExp ? kMxScaleMinExp : e > kMxScaleMaxExp ? kMxScaleMaxExp : e;
}

// ---- NV rules ----------------------------------------------------------------

// The tensor scale S_enc of a tensor whose largest finite magnitude is gamax.
PLUMB_HD inline float nv_tensor_scale(float gamax, float max_elem) {
  if (!(gamax > 0.0f)) return 1.0f;
  const float s = f32_min_max(f32_div(f32_mul(448.0f, max_elem), gamax));  // 448 * M is exact
  return s == 0.0f ? 1.0f : s;
}

// nv_te's constants: t = fp32(S_enc * fp32(1 / M)), g = fp32(1 / S_enc).
struct NvTeConstants {
  float t = 1.0f;
  float g = 1.0f;
};
PLUMB_HD inline NvTeConstants nv_te_constants(float s_enc, float max_elem) {
  return {f32_mul(s_enc, f32_div(1.0f, max_elem)), f32_div(1.0f, s_enc)};
}

PLUMB_HD inline uint64_t ue4m3_rne(const Unpacked& v) {
  return round_to_format(ue4m3_format(), v,
                         RoundingSpec{Rounding::nearest_even, Overflow::saturate, 0})
      .code;
}

// nv_te block scale: s = RNE_satfinite_ue4m3(min(fp32(bamax * t), FLT_MAX)).
PLUMB_HD inline uint64_t nv_te_scale(float bamax, const NvTeConstants& k) {
  const float d = f32_min_max(f32_mul(bamax, k.t));
  return ue4m3_rne(unpack(fp32_format(), f32_bits(d)));
}

// nv_te element multiplier c = min(fp32(1 / fp32(value(s) * g)), FLT_MAX).
PLUMB_HD inline float nv_te_multiplier(uint64_t scale_code, const NvTeConstants& k) {
  const float vs = f32_of(unpack(ue4m3_format(), scale_code));
  return f32_min_max(f32_div(1.0f, f32_mul(vs, k.g)));
}

// The exact value a * b / (odd * 2^exp) for fp32 a, b and an odd divisor
// 1 <= odd < 2^24, as an Unpacked that every rounding mode (stochastic with up
// to 32 bits included) rounds as it would the exact value into a format of at
// most 24 significant bits: a 62-63 bit truncated quotient whose last bit is
// set when the division is inexact (a sticky bit far below the rounding point).
PLUMB_HD constexpr Unpacked exact_product_quotient(uint32_t a_bits, uint32_t b_bits, uint64_t odd,
                                                   int exp) {
  const Unpacked a = unpack(fp32_format(), a_bits);
  const Unpacked b = unpack(fp32_format(), b_bits);
  Unpacked r;
  r.negative = a.negative != b.negative;
  uint64_t n = a.significand * b.significand;  // < 2^48, exact
  if (n == 0) return r;                        // zero, with the product's sign
  int e = a.exponent + b.exponent - exp;
  const int len = bit_length64(n);  // normalise n into [2^47, 2^48)
  n <<= 48 - len;
  e -= 48 - len;
  const uint64_t hi = n / odd;  // >= 2^23
  const uint64_t rem = n % odd;
  const int t = 62 - bit_length64(hi);  // rem << t < 2^24 * 2^39
  const uint64_t low = rem << t;
  uint64_t q = (hi << t) | (low / odd);
  if (low % odd != 0) q |= 1;
  r.value_class = ValueClass::normal;
  r.significand = q;
  r.exponent = e - t;
  return r;
}

// nv_exact block scale: RNE_satfinite_ue4m3(bamax * S_enc / M), exact.
PLUMB_HD inline uint64_t nv_exact_scale(float bamax, float s_enc, const ElementMax& m) {
  return ue4m3_rne(exact_product_quotient(f32_bits(bamax), f32_bits(s_enc), m.odd, m.exp));
}

}  // namespace plumb
