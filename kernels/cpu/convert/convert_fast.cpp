// cpu_fast: a branch-free fp32 array path for conversions into any format of
// up to 32 bits, bit-exact with formats/ convert_code, flags included. This
// file holds the plan (per-call constants, derived from formats/ itself), the
// baseline implementation (plain C++, one element at a time, no branches in
// the rounding) and the run-time dispatch to the AVX2 translation unit.
// convert_fast.hpp explains the method.
#include "convert_fast.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"

namespace plumb::kernels::cpu {
namespace fast {
namespace {

// +-2^1000 in fp64: beyond every covered target's range, whatever the rounding.
constexpr uint64_t kFp64PosHuge = 0x7e70000000000000u, kFp64NegHuge = 0xfe70000000000000u;
constexpr uint32_t kFp32PosInf = 0x7f800000u, kFp32NegInf = 0xff800000u;
constexpr uint32_t kFp32QNaN = 0x7fc00000u, kFp32SNaN = 0x7f800001u;

bool source_of(const FormatDesc& f, Source* s) {
  if (f == formats::fp32)
    *s = Source::fp32;
  else if (f == formats::fp16)
    *s = Source::fp16;
  else if (f == formats::bf16)
    *s = Source::bf16;
  else
    return false;
  return true;
}

// The result of one fp32 code, by formats/ itself.
Converted reference(const FormatDesc& to, const RoundingSpec& spec, uint32_t fp32_code) {
  return convert_code(formats::fp32, to, fp32_code, spec, 0);
}

// fp16 -> fp32 bits, exact (NaN payloads, including the quiet bit, kept).
inline uint32_t widen_fp16(uint32_t h) {
  uint32_t o = (h & 0x7fffu) << 13;
  const uint32_t e = o & 0x0f800000u;
  o += 112u << 23;
  if (e == 0x0f800000u) o += 112u << 23;  // infinity / NaN
  if (e == 0) {                           // zero / subnormal: exact float subtraction
    const float f = std::bit_cast<float>(o + (1u << 23)) - std::bit_cast<float>(113u << 23);
    o = std::bit_cast<uint32_t>(f);
  }
  return o | ((h & 0x8000u) << 16);
}

inline uint32_t shr(uint32_t x, int32_t s) { return static_cast<uint32_t>(s) < 32 ? x >> s : 0; }
inline uint32_t shl(uint32_t x, int32_t s) { return static_cast<uint32_t>(s) < 32 ? x << s : 0; }

template <Rounding R, bool F>
inline __attribute__((always_inline)) void element(const Plan& p, uint32_t u, uint32_t rb,
                                                   uint32_t* code, uint8_t* fl) {
  const uint32_t neg = u >> 31;
  const uint32_t a = u & 0x7fffffffu;
  const int32_t e = static_cast<int32_t>(a >> 23);
  const uint32_t sig = (a & 0x7fffffu) | (e != 0 ? 0x800000u : 0u);
  const int32_t eeff = std::max(e, 1);
  const int32_t s = std::max(p.a - eeff, p.b);
  const uint32_t n = shr(sig, s);
  const uint32_t frac = shl(sig, 32 - s) | shr(sig, s - 32);
  const bool exact = frac == 0 && (s <= 32 || a == 0);  // s > 32: sticky, unless zero
  uint32_t up = 0;
  if constexpr (R == Rounding::nearest_even)
    up = frac > 0x80000000u - (n & 1);
  else if constexpr (R == Rounding::nearest_away)
    up = frac >= 0x80000000u;
  else if constexpr (R == Rounding::upward)
    up = !exact && !neg;
  else if constexpr (R == Rounding::downward)
    up = !exact && neg;
  else if constexpr (R == Rounding::odd)
    up = !exact && !(n & 1);
  else if constexpr (R == Rounding::stochastic) {
    const uint32_t r = rb << p.sr_shift, sum = (frac & p.sr_topmask) + r;
    up = sum < r;
  }
  const uint32_t expo = static_cast<uint32_t>(std::max(eeff - p.emin, 0)) << p.mshift;
  const int32_t rounded = static_cast<int32_t>(expo + n - p.off + up);
  uint32_t out = neg ? ((static_cast<uint32_t>(rounded) ^ p.xneg) + p.yneg) : rounded;
  out &= p.code_mask;
  if (rounded == 0) out &= ~p.zero_clear;
  const bool over = rounded > p.lim[neg];
  if (over) out = p.over_code[neg];
  const bool special = e == 255, is_nan = a > 0x7f800000u;
  if (special) out = is_nan ? p.nan_code[neg] : p.inf_code[neg];
  *code = out;
  if constexpr (F) {
    uint8_t f = exact ? 0 : static_cast<uint8_t>(kInexact | (e < p.etiny ? kUnderflow : 0));
    if (a == 0) f |= p.zero_in_flags;
    if (over) f = p.over_flags[neg];
    if (special) f = is_nan ? ((u & 0x400000u) ? p.qnan_flags : p.snan_flags) : p.inf_flags[neg];
    *fl = f;
  }
}

template <Rounding R, bool F, Source S, int OB>
void baseline_loop(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                   const uint32_t* rbits) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t u;
    if constexpr (S == Source::fp32)
      u = static_cast<const uint32_t*>(in)[i];
    else if constexpr (S == Source::fp16)
      u = widen_fp16(static_cast<const uint16_t*>(in)[i]);
    else
      u = uint32_t{static_cast<const uint16_t*>(in)[i]} << 16;
    uint32_t code;
    uint8_t fl = 0;
    element<R, F>(p, u, R == Rounding::stochastic ? rbits[i] : 0, &code, &fl);
    if constexpr (OB == 1)
      static_cast<uint8_t*>(out)[i] = static_cast<uint8_t>(code);
    else if constexpr (OB == 2)
      static_cast<uint16_t*>(out)[i] = static_cast<uint16_t>(code);
    else
      static_cast<uint32_t*>(out)[i] = code;
    if constexpr (F) flags[i] = fl;
  }
  if (p.sub_fallback) {  // a second pass: fp32 subnormal inputs, by convert_code
    for (size_t i = 0; i < n; ++i) {
      uint32_t u = 0;
      if constexpr (S == Source::fp32)
        u = static_cast<const uint32_t*>(in)[i];
      else if constexpr (S == Source::bf16)
        u = uint32_t{static_cast<const uint16_t*>(in)[i]} << 16;
      if ((u & 0x7f800000u) == 0 && (u & 0x7fffffu) != 0) fix_element(p, in, out, flags, i, rbits);
    }
  }
}

template <Rounding R, bool F, Source S>
void baseline_out(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                  const uint32_t* rbits) {
  switch (p.out_bytes) {
    case 1:
      return baseline_loop<R, F, S, 1>(p, in, out, flags, n, rbits);
    case 2:
      return baseline_loop<R, F, S, 2>(p, in, out, flags, n, rbits);
    default:
      return baseline_loop<R, F, S, 4>(p, in, out, flags, n, rbits);
  }
}

template <Rounding R, bool F>
void baseline_src(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                  const uint32_t* rbits) {
  switch (p.source) {
    case Source::fp32:
      return baseline_out<R, F, Source::fp32>(p, in, out, flags, n, rbits);
    case Source::fp16:
      return baseline_out<R, F, Source::fp16>(p, in, out, flags, n, rbits);
    case Source::bf16:
      return baseline_out<R, F, Source::bf16>(p, in, out, flags, n, rbits);
  }
}

template <Rounding R>
void baseline_mode(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                   const uint32_t* rbits) {
  if (flags)
    baseline_src<R, true>(p, in, out, flags, n, rbits);
  else
    baseline_src<R, false>(p, in, out, flags, n, rbits);
}

}  // namespace

bool make_plan(const FormatDesc& from, const FormatDesc& to, const RoundingSpec& spec,
               bool have_rbits, Plan* plan) {
  Plan p;
  if (!source_of(from, &p.source)) return false;
  if (spec.rounding == Rounding::stochastic &&
      (!have_rbits || spec.sr_bits < 1 || spec.sr_bits > 32))
    return false;
  p.from = from;
  p.to = to;
  p.spec = spec;
  if (to.is_integer()) {
    if (to.bits() > 16) return false;
    p.a = 150, p.b = 0, p.emin = 255, p.mshift = 0, p.off = 0, p.etiny = 0;
    p.lim[0] = static_cast<int32_t>(to.max_finite_code());
    p.lim[1] = to.is_signed ? static_cast<int32_t>(to.sign_bit()) : 0;
    p.xneg = to.is_signed ? ~0u : 0u;
    p.yneg = to.is_signed ? 1u : 0u;
  } else {
    if (to.ebits < 1 || to.ebits > 8 || to.mbits > 23 || to.bits() > 32) return false;
    if (to.encoding == Encoding::e8m0 && to.mbits != 0) return false;
    p.emin = to.min_exponent() + 127;
    // Zero and fp32 subnormal inputs are handled for Emin >= 1 (every format
    // whose range stops at or above 2^-126) and for ue8m0 (Emin = 0, subnormal
    // inputs per element by convert_code); other exotic biases go scalar.
    if (to.encoding == Encoding::e8m0 ? p.emin != 0 : p.emin < 1) return false;
    // Codes (and the largest rounded one) must stay far inside int32.
    if ((int64_t{254 - p.emin + 3} << to.mbits) >= (int64_t{1} << 30)) return false;
    p.b = 23 - to.mbits;
    p.a = p.b + p.emin;
    p.mshift = to.mbits;
    p.off = to.encoding == Encoding::e8m0 ? 1 : 0;
    p.etiny = p.emin;
    p.lim[0] = static_cast<int32_t>(to.max_finite_code());
    p.lim[1] = to.is_signed ? p.lim[0] : 0;
    p.xneg = 0;
    p.yneg = static_cast<uint32_t>(to.sign_bit());
    p.sub_fallback = p.emin < 1;
  }
  p.code_mask = static_cast<uint32_t>(to.code_mask());
  p.out_bytes = to.storage_bytes();
  if (to.encoding == Encoding::fnuz) p.zero_clear = static_cast<uint32_t>(to.sign_bit());
  // Value-independent results, from formats/ itself.
  const Converted over[2] = {convert_code(formats::fp64, to, kFp64PosHuge, spec, 0),
                             convert_code(formats::fp64, to, kFp64NegHuge, spec, 0)};
  const Converted inf[2] = {reference(to, spec, kFp32PosInf), reference(to, spec, kFp32NegInf)};
  const Converted nan[2] = {reference(to, spec, kFp32QNaN),
                            reference(to, spec, kFp32QNaN | 0x80000000u)};
  for (int s = 0; s < 2; ++s) {
    p.over_code[s] = static_cast<uint32_t>(over[s].code), p.over_flags[s] = over[s].flags;
    p.inf_code[s] = static_cast<uint32_t>(inf[s].code), p.inf_flags[s] = inf[s].flags;
    p.nan_code[s] = static_cast<uint32_t>(nan[s].code);
  }
  p.qnan_flags = nan[0].flags;
  p.snan_flags = reference(to, spec, kFp32SNaN).flags;
  p.zero_in_flags = reference(to, spec, 0).flags;
  // The clamp form of the overflow results (see Plan::map).
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
    p.map = to.is_integer() ? Plan::Map::int_clamp
            : p.zero_clear  ? Plan::Map::fnuz_clamp
                            : Plan::Map::float_clamp;
  if (spec.rounding == Rounding::stochastic) {
    p.sr_shift = 32 - spec.sr_bits;
    p.sr_topmask = ~0u << p.sr_shift;
  }
  *plan = p;
  return true;
}

void fix_element(const Plan& p, const void* in, void* out, uint8_t* flags, size_t i,
                 const uint32_t* rbits) {
  const Converted r = convert_code(p.from, p.to, load_code(in, p.from.storage_bytes(), i), p.spec,
                                   rbits ? rbits[i] : 0);
  store_code(out, p.out_bytes, i, r.code);
  if (flags) flags[i] = r.flags;
}

void run_baseline(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                  const uint32_t* rbits) {
  switch (p.spec.rounding) {
    case Rounding::nearest_even:
      return baseline_mode<Rounding::nearest_even>(p, in, out, flags, n, rbits);
    case Rounding::nearest_away:
      return baseline_mode<Rounding::nearest_away>(p, in, out, flags, n, rbits);
    case Rounding::toward_zero:
      return baseline_mode<Rounding::toward_zero>(p, in, out, flags, n, rbits);
    case Rounding::upward:
      return baseline_mode<Rounding::upward>(p, in, out, flags, n, rbits);
    case Rounding::downward:
      return baseline_mode<Rounding::downward>(p, in, out, flags, n, rbits);
    case Rounding::odd:
      return baseline_mode<Rounding::odd>(p, in, out, flags, n, rbits);
    case Rounding::stochastic:
      return baseline_mode<Rounding::stochastic>(p, in, out, flags, n, rbits);
  }
}

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

void run(const Plan& p, Isa isa, const void* in, void* out, uint8_t* flags, size_t n,
         const uint32_t* rbits) {
  if (isa == Isa::automatic) isa = cpu_has_avx2() ? Isa::avx2 : Isa::baseline;
  if (isa == Isa::avx2)
    run_avx2(p, in, out, flags, n, rbits);
  else
    run_baseline(p, in, out, flags, n, rbits);
}

}  // namespace fast

PLUMB_DECLARE_CONVERT_FN(convert_fast) {
  fast::Plan plan;
  if (!fast::make_plan(args.from, args.to, args.spec, rbits != nullptr, &plan))
    return convert_scalar(args, in, out, flags, n, rbits, message);
  fast::run(plan, fast::Isa::automatic, in, out, flags, n, rbits);
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cpu
