// cuda_fast: the per-call plan and the per-element function of the fast fp32 ->
// narrow-format GPU conversion (kernels/cuda/convert/convert_fast.cu). PLUMB_HD:
// the host compiles the very same element function for validation against
// formats/ convert_code (tools/cuda_fast_check.cpp).
//
// The method is cpu_fast's (kernels/cpu/convert/convert_fast.hpp): with a = |u|,
// E = a >> 23, em1 = max(E - 1, 0) (Eeff - 1), sig = a - (em1 << 23), the
// value is sig * 2^(Eeff - 150) and the magnitude code is
//
//   rounded = (max(em1 - emin1, floor) << mshift) + (sig >> s) + up
//   s = max(a1 - em1, b)        (see convert_fast.hpp for A, B, Emin)
//
// Differences from the CPU version, all exact:
// - Targets of at most 8 bits only (float or integer), so every code fits a
//   byte and B >= 16 for floats; integer plans use B = 1 instead of 0 (E >= 150
//   is an overflow into a <= 8-bit integer either way).
// - The shift is clamped to 31: for s >= 31 the true n is 0 (sig < 2^24) and
//   the true fraction is below 2^-7, so only its zero-ness matters to every mode
//   but stochastic rounding, and sig << 1 has the same zero-ness. Stochastic
//   rounding takes the exact 32-bit fraction (sig >> (s - 32) for s > 32).
// - Infinity / NaN are selected per element (no vector-wide branch).
// - ue8m0 (Map::e8m0) has its own branch-free path: its smallest value 2^-127
//   lies below fp32's normal range, so an fp32 subnormal input is taken as
//   2m * 2^-150 (one more bit of significand, exponent field -1) and every
//   input is rounded at the fixed shift 23: magnitude code = (E - 1) + n + up,
//   -1 meaning "rounded to zero" (code 0x00, SEMANTICS.md step 3).
// - fp32 -> e4m3fn / e5m2 under nearest_even without flags (Plan::hw): the
//   kernel uses the hardware conversion cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32
//   (sm_89+; convert_fast_kernel.cuh, convert4_hw) and patches the inputs whose
//   code it cannot give: NaN (the hardware's NaN code has no sign), infinity
//   and overflow (satfinite gives +-max finite) get plumb's codes for the
//   policy (nan_code, inf_code, and over_code from hw_over up), all taken from
//   convert_code here. The element function below stays the definition for
//   the tail and for host checks.
// Not covered: sources other than fp32, targets of more than 8 bits, float
// targets with Emin < 1 other than ue8m0, stochastic rounding without rbits or
// with k outside 1..32.
#pragma once

#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/host_device.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/rounding.hpp"

#if defined(__CUDACC__)
#define PLUMB_FAST_INLINE __forceinline__
#else
#define PLUMB_FAST_INLINE inline __attribute__((always_inline))
#endif

namespace plumb::kernels::cuda::fast {

// How the clamped magnitude becomes a code (cpu_fast's Plan::Map); e8m0 is
// ue8m0's own path (see the header).
enum class Map : uint8_t { generic, float_clamp, fnuz_clamp, int_clamp, e8m0 };

// The hardware conversion the kernel may use instead of the element function
// (see the header): none, cvt.rn.satfinite.e4m3x2.f32 or .e5m2x2.f32.
enum class Hw : uint8_t { none, e4m3, e5m2 };

struct Plan {
  int32_t a1 = 0, b = 0, emin1 = 0, floor = 0, mshift = 0, etiny_bits = 0;
  uint32_t code_mask = 0, xneg = 0, sgn = 0, zero_clear = 0;
  int32_t lim[2] = {0, 0}, clamp[2] = {0, 0};
  uint32_t over_code[2] = {0, 0}, inf_code[2] = {0, 0}, nan_code[2] = {0, 0};
  uint32_t over_flags[2] = {0, 0}, inf_flags[2] = {0, 0};
  uint32_t qnan_flags = 0, snan_flags = 0, zero_in_flags = 0;
  int32_t sr_shift = 0;
  uint32_t sr_topmask = 0;
  Map map = Map::generic;
  Hw hw = Hw::none;
  uint32_t hw_over = 0x7f800000u;  // smallest fp32 magnitude (bits) that overflows
  FormatDesc to;
  RoundingSpec spec;
};

namespace detail {
constexpr uint64_t kFp64PosHuge = 0x7e70000000000000u, kFp64NegHuge = 0xfe70000000000000u;
inline Converted ref32(const FormatDesc& to, const RoundingSpec& spec, uint32_t code) {
  return convert_code(formats::fp32, to, code, spec, 0);
}
}  // namespace detail

// Fills *plan (host); false when the conversion is not covered.
inline bool make_plan(const FormatDesc& from, const FormatDesc& to, const RoundingSpec& spec,
                      bool have_rbits, Plan* plan) {
  using namespace detail;
  Plan p;
  if (!(from == formats::fp32)) return false;
  if (to.bits() > 8) return false;
  if (spec.rounding == Rounding::stochastic &&
      (!have_rbits || spec.sr_bits < 1 || spec.sr_bits > 32))
    return false;
  int32_t a = 0, emin = 0, off = 0;
  if (to.is_integer()) {
    a = 150, p.b = 1, emin = 255, p.mshift = 0, off = 0, p.etiny_bits = 0;
    p.lim[0] = static_cast<int32_t>(to.max_finite_code());
    p.lim[1] = to.is_signed ? static_cast<int32_t>(to.sign_bit()) : 0;
    p.xneg = to.is_signed ? ~0u : 0u;
    p.sgn = 0;
  } else {
    if (to.ebits < 1 || to.ebits > 8) return false;
    if (to.encoding == Encoding::e8m0 && to.mbits != 0) return false;
    emin = to.min_exponent() + 127;
    if (to.encoding == Encoding::e8m0 ? emin != 0 : emin < 1) return false;
    p.b = 23 - to.mbits;
    a = p.b + emin;
    p.mshift = to.mbits;
    off = to.encoding == Encoding::e8m0 ? 1 : 0;
    p.etiny_bits = emin << 23;
    p.lim[0] = static_cast<int32_t>(to.max_finite_code());
    p.lim[1] = to.is_signed ? p.lim[0] : 0;
    p.xneg = 0;
    p.sgn = static_cast<uint32_t>(to.sign_bit());
  }
  p.a1 = a - 1;
  p.emin1 = emin - 1 + off;
  p.floor = -off;
  p.code_mask = static_cast<uint32_t>(to.code_mask());
  if (to.encoding == Encoding::fnuz) p.zero_clear = static_cast<uint32_t>(to.sign_bit());
  const Converted over[2] = {convert_code(formats::fp64, to, kFp64PosHuge, spec, 0),
                             convert_code(formats::fp64, to, kFp64NegHuge, spec, 0)};
  const Converted inf[2] = {ref32(to, spec, 0x7f800000u), ref32(to, spec, 0xff800000u)};
  const Converted nan[2] = {ref32(to, spec, 0x7fc00000u), ref32(to, spec, 0xffc00000u)};
  for (int s = 0; s < 2; ++s) {
    p.over_code[s] = static_cast<uint32_t>(over[s].code), p.over_flags[s] = over[s].flags;
    p.inf_code[s] = static_cast<uint32_t>(inf[s].code), p.inf_flags[s] = inf[s].flags;
    p.nan_code[s] = static_cast<uint32_t>(nan[s].code);
  }
  p.qnan_flags = nan[0].flags;
  p.snan_flags = ref32(to, spec, 0x7f800001u).flags;
  p.zero_in_flags = ref32(to, spec, 0).flags;
  auto mapped = [&](int sign, uint32_t v) -> uint32_t {
    if (to.is_integer()) return sign && to.is_signed ? ((~v + 1) & p.code_mask) : v;
    return v | (sign ? static_cast<uint32_t>(to.sign_bit()) : 0u);
  };
  bool clamp_ok = true;
  for (int s = 0; s < 2 && clamp_ok; ++s) {
    const uint32_t lim = static_cast<uint32_t>(p.lim[s]);
    if (mapped(s, lim) == p.over_code[s])
      p.clamp[s] = p.lim[s];
    else if (mapped(s, lim + 1) == p.over_code[s])
      p.clamp[s] = p.lim[s] + 1;
    else
      clamp_ok = false;
  }
  if (clamp_ok)
    p.map = to.is_integer() ? Map::int_clamp : p.zero_clear ? Map::fnuz_clamp : Map::float_clamp;
  if (to.encoding == Encoding::e8m0) {
    // Magnitude codes run from -1 (rounded to zero) to lim[0]; a negative
    // input with a nonzero magnitude is out of range (over_code[1]); tiny
    // below 2^-127, whose fp32 pattern is 0x00400000.
    p.map = Map::e8m0;
    p.lim[1] = -1;
    p.etiny_bits = 0x00400000;
  }
  if (spec.rounding == Rounding::nearest_even && (to == formats::e4m3fn || to == formats::e5m2)) {
    // Nearest-even overflow is monotone in |x| and symmetric in the sign:
    // bisect for the first overflowing fp32 magnitude (e4m3fn: 464 + 1 ulp,
    // e5m2: 61440), below which the hardware's code is plumb's.
    p.hw = to == formats::e4m3fn ? Hw::e4m3 : Hw::e5m2;
    uint32_t lo = 0, hi = 0x7f800000u;  // lo does not overflow; hi does, or is infinity
    while (hi - lo > 1) {
      const uint32_t mid = lo + (hi - lo) / 2;
      (ref32(to, spec, mid).flags & kOverflow ? hi : lo) = mid;
    }
    p.hw_over = hi;
  }
  if (spec.rounding == Rounding::stochastic) {
    p.sr_shift = 32 - spec.sr_bits;
    p.sr_topmask = ~0u << p.sr_shift;
  }
  p.to = to;
  p.spec = spec;
  *plan = p;
  return true;
}

PLUMB_HD inline int32_t imax(int32_t x, int32_t y) { return x > y ? x : y; }
PLUMB_HD inline int32_t imin(int32_t x, int32_t y) { return x < y ? x : y; }

// Infinity / NaN inputs (E = 255): their value-independent code and flags
// replace *code / *fl. Returns whether u is one.
template <bool F>
PLUMB_HD PLUMB_FAST_INLINE bool apply_special(const Plan& p, uint32_t u, uint32_t* code,
                                              uint32_t* fl) {
  const uint32_t a = u & 0x7fffffffu;
  const bool neg = static_cast<int32_t>(u) < 0;
  const bool special = a > 0x7f7fffffu, is_nan = a > 0x7f800000u;
  const uint32_t sp_code = is_nan ? (neg ? p.nan_code[1] : p.nan_code[0])
                                  : (neg ? p.inf_code[1] : p.inf_code[0]);
  *code = special ? sp_code : *code;
  if constexpr (F) {
    const uint32_t sp_fl = is_nan ? ((u & 0x400000u) ? p.qnan_flags : p.snan_flags)
                                  : (neg ? p.inf_flags[1] : p.inf_flags[0]);
    *fl = special ? sp_fl : *fl;
  }
  return special;
}

// One fp32 bit pattern u (rb: its random word) -> its code; *fl its flags when F.
// Branch-free apart from selects. K must be the plan's map (or generic, which
// is right for every plan but ue8m0's). With S = false, infinity and NaN inputs give garbage: the caller applies
// apply_special (the kernel does so only for vectors that hold one).
template <Rounding R, bool F, Map K, bool S = true>
PLUMB_HD PLUMB_FAST_INLINE uint32_t convert_element(const Plan& p, uint32_t u, uint32_t rb,
                                                    uint32_t* fl) {
  constexpr bool E8 = K == Map::e8m0;
  const bool neg = static_cast<int32_t>(u) < 0;
  const uint32_t a = u & 0x7fffffffu;
  int32_t em1, s;
  uint32_t sig;
  if constexpr (E8) {  // value = sig * 2^(em1 - 149) in both cases; shift 23
    const bool sub = a < 0x00800000u;
    em1 = static_cast<int32_t>(a >> 23) - 1;
    sig = sub ? a << 1 : (a & 0x007fffffu) | 0x00800000u;
    s = 23;
  } else {
    em1 = imax(static_cast<int32_t>(a >> 23) - 1, 0);
    sig = a - (static_cast<uint32_t>(em1) << 23);
    s = imax(p.a1 - em1, p.b);
  }
  const int32_t sc = imin(s, 31);
  const uint32_t n = sig >> sc;
  const uint32_t frac = sig << (32 - sc);  // sc >= 1; zero-ness exact, see the header
  uint32_t up = 0;
  if constexpr (R == Rounding::nearest_even) {
    up = frac > 0x80000000u - (n & 1u);
  } else if constexpr (R == Rounding::nearest_away) {
    up = frac >> 31;
  } else if constexpr (R == Rounding::toward_zero) {
    up = 0;
  } else if constexpr (R == Rounding::upward) {
    up = frac != 0 && !neg;
  } else if constexpr (R == Rounding::downward) {
    up = frac != 0 && neg;
  } else if constexpr (R == Rounding::odd) {
    up = frac != 0 && !(n & 1u);
  } else {  // stochastic: the exact fraction's top k bits plus r, carry out
    const uint32_t f32 = s > 31 ? sig >> imin(s - 32, 31) : frac;
    const uint32_t r = rb << p.sr_shift, sum = (f32 & p.sr_topmask) + r;
    up = sum < r;
  }
  const int32_t expo = E8 ? em1 : imax(em1 - p.emin1, p.floor) << p.mshift;
  const int32_t rounded = expo + static_cast<int32_t>(n + up);
  const bool over = rounded > (neg ? p.lim[1] : p.lim[0]);
  uint32_t out;
  if constexpr (E8) {
    out = over ? (neg ? p.over_code[1] : p.over_code[0]) : static_cast<uint32_t>(imax(rounded, 0));
  } else if constexpr (K == Map::generic) {
    const uint32_t nx = neg ? p.xneg : 0u;
    out = ((static_cast<uint32_t>(rounded) ^ nx) - nx) | (neg ? p.sgn : 0u);
    out &= p.code_mask;
    if (rounded == 0) out &= ~p.zero_clear;
    out = over ? (neg ? p.over_code[1] : p.over_code[0]) : out;
  } else {
    const uint32_t m = static_cast<uint32_t>(imin(rounded, neg ? p.clamp[1] : p.clamp[0]));
    if constexpr (K == Map::float_clamp) {
      out = m | (neg ? p.sgn : 0u);
    } else if constexpr (K == Map::fnuz_clamp) {
      out = m | (neg && m != 0 ? p.sgn : 0u);
    } else {
      const uint32_t nx = neg ? p.xneg : 0u;
      out = ((m ^ nx) - nx) & p.code_mask;
    }
  }
  if constexpr (F) {
    uint32_t f = frac == 0 ? 0u
                           : (uint32_t{kInexact} |
                              (a < static_cast<uint32_t>(p.etiny_bits) ? uint32_t{kUnderflow} : 0u));
    f |= a == 0 ? p.zero_in_flags : 0u;
    *fl = over ? (neg ? p.over_flags[1] : p.over_flags[0]) : f;
  }
  if constexpr (S) apply_special<F>(p, u, &out, fl);
  return out;
}

// The hardware path's patch (convert_fast_kernel.cuh, convert4_hw): w holds
// the codes that cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32 gave for u0..u3 (u_j's
// in byte j). satfinite gives +-max finite for overflow and infinity and a NaN
// of its own (no sign) for NaN, so every code it cannot give has magnitude >=
// max finite (e4m3fn 0x7e, e5m2 0x7b); only then (rarely: ordinary data never
// reaches +-max) is each byte replaced by plumb's code from its input: NaN ->
// nan_code, infinity -> inf_code, |x| >= hw_over -> over_code (convert_code's
// own, per sign); any other input keeps the hardware's byte. Host and device:
// tools/cuda_fast/cuda_fast_check.cpp runs it on the CUDA headers' host
// emulation of the conversion.
template <Hw H>
PLUMB_HD PLUMB_FAST_INLINE uint32_t patch_hw4(const Plan& p, uint32_t u0, uint32_t u1, uint32_t u2,
                                              uint32_t u3, uint32_t w) {
  static_assert(H == Hw::e4m3 || H == Hw::e5m2);
  constexpr uint32_t kMax =
      static_cast<uint32_t>((H == Hw::e4m3 ? formats::e4m3fn : formats::e5m2).max_finite_code());
  static_assert(kMax < 0x80u, "max finite is a positive code below the sign bit");
  // Bytes of magnitude >= kMax: (b & 0x7f) + 0x80 - kMax has bit 7 set (no
  // carry between bytes: the sum stays below 0x100).
  if (!(((w & 0x7f7f7f7fu) + (0x80u - kMax) * 0x01010101u) & 0x80808080u)) return w;
  const uint32_t u[4] = {u0, u1, u2, u3};
  uint32_t out = 0;
  for (int j = 0; j < 4; ++j) {
    const uint32_t a = u[j] & 0x7fffffffu, s = u[j] >> 31;
    const uint32_t c = a > 0x7f800000u    ? p.nan_code[s]
                       : a == 0x7f800000u ? p.inf_code[s]
                       : a >= p.hw_over   ? p.over_code[s]
                                          : (w >> (8 * j)) & 0xffu;
    out |= c << (8 * j);
  }
  return out;
}

}  // namespace plumb::kernels::cuda::fast
