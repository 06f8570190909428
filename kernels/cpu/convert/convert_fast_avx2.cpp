// cpu_fast, AVX2: the method of convert_fast.hpp on eight fp32 lanes at a
// time, 32 elements per step. AVX2's variable shifts give 0 for counts of 32
// or more, which is exactly the arithmetic the method needs. fp16 and bf16
// sources are widened to fp32 (exactly) in L1-sized chunks first. Compiled
// with -mavx2 -mfma; called only when the CPU has AVX2 (convert_fast.cpp).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "convert_fast.hpp"
#include "plumb/formats/rounding.hpp"

#define PLUMB_INLINE inline __attribute__((always_inline))

namespace plumb::kernels::cpu::fast {
namespace {

using Map = Plan::Map;

PLUMB_INLINE __m256i set1(uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }

// Per-call constants as vectors. A per-sign pair (c0, c1) is kept as c0 and
// d = c0 ^ c1, and selected by c0 ^ (neg & d): two one-uop operations.
struct Consts {
  __m256i a1, b, emin1, floor, cmask, xneg, sgn, zclear, clamp0, dclamp, lim0, dlim;
  __m256i over0, dover, inf0, dinf, nan0, dnan, etiny;
  __m256i of0, dof, if0, dif, qnf, snf, zinf, srtop;
  __m128i mshift, srshift;
  explicit Consts(const Plan& p) {
    auto s = [](uint32_t v) { return set1(v); };
    auto u = [](int32_t v) { return static_cast<uint32_t>(v); };
    a1 = s(u(p.a - 1)), b = s(u(p.b)), emin1 = s(u(p.emin - 1 + p.off)), floor = s(u(-p.off));
    cmask = s(p.code_mask), xneg = s(p.xneg), zclear = s(p.zero_clear);
    sgn = s(p.to.is_integer() ? 0u : p.yneg);  // floats: the sign bit
    clamp0 = s(u(p.clamp[0])), dclamp = s(u(p.clamp[0] ^ p.clamp[1]));
    lim0 = s(u(p.lim[0])), dlim = s(u(p.lim[0] ^ p.lim[1]));
    over0 = s(p.over_code[0]), dover = s(p.over_code[0] ^ p.over_code[1]);
    inf0 = s(p.inf_code[0]), dinf = s(p.inf_code[0] ^ p.inf_code[1]);
    nan0 = s(p.nan_code[0]), dnan = s(p.nan_code[0] ^ p.nan_code[1]);
    etiny = s(u(p.etiny) << 23);
    of0 = s(p.over_flags[0]), dof = s(p.over_flags[0] ^ p.over_flags[1]);
    if0 = s(p.inf_flags[0]), dif = s(p.inf_flags[0] ^ p.inf_flags[1]);
    qnf = s(p.qnan_flags), snf = s(p.snan_flags), zinf = s(p.zero_in_flags);
    srtop = s(p.sr_topmask);
    mshift = _mm_cvtsi32_si128(p.mshift);
    srshift = _mm_cvtsi32_si128(p.sr_shift);
  }
};

PLUMB_INLINE __m256i by_sign(__m256i c0, __m256i d, __m256i neg) {
  return _mm256_xor_si256(c0, _mm256_and_si256(neg, d));
}
PLUMB_INLINE __m256i select(__m256i a, __m256i b, __m256i mask) {  // mask ? b : a
  return _mm256_xor_si256(a, _mm256_and_si256(_mm256_xor_si256(a, b), mask));
}

// Eight fp16 / bf16 codes (zero-extended in 32-bit lanes) as fp32 bits, exactly.
template <Source S>
PLUMB_INLINE __m256i widen8(__m256i h) {
  if constexpr (S == Source::bf16) {
    return _mm256_slli_epi32(h, 16);
  } else {
    // fp16: rebias in integers (NaN payloads and the quiet bit kept); zero and
    // subnormals by an exact float subtraction of 2^-14.
    __m256i o = _mm256_slli_epi32(_mm256_and_si256(h, set1(0x7fff)), 13);
    const __m256i e = _mm256_and_si256(o, set1(0x0f800000));
    o = _mm256_add_epi32(o, set1(112u << 23));
    o = _mm256_add_epi32(
        o, _mm256_and_si256(_mm256_cmpeq_epi32(e, set1(0x0f800000)), set1(112u << 23)));
    const __m256 sub = _mm256_sub_ps(_mm256_castsi256_ps(_mm256_add_epi32(o, set1(1u << 23))),
                                     _mm256_castsi256_ps(set1(113u << 23)));
    o = _mm256_blendv_epi8(o, _mm256_castps_si256(sub),
                           _mm256_cmpeq_epi32(e, _mm256_setzero_si256()));
    return _mm256_or_si256(o, _mm256_slli_epi32(_mm256_and_si256(h, set1(0x8000)), 16));
  }
}

// One vector of eight fp32 bit patterns: codes, and flags when F.
template <Rounding R, bool F, Map K>
PLUMB_INLINE __m256i kernel8(const Plan& p, const Consts& c, __m256i u, __m256i rb,
                             __m256i* flags) {
  const __m256i zero = _mm256_setzero_si256(), one = set1(1);
  const __m256i half = set1(0x80000000u), v32 = set1(32);
  const __m256i neg = _mm256_srai_epi32(u, 31);
  const __m256i a = _mm256_and_si256(u, set1(0x7fffffff));
  // em1 = Eeff - 1 = max(E - 1, 0); sig = a - (em1 << 23) (hidden bit, or none).
  const __m256i em1 =
      _mm256_max_epi32(_mm256_srai_epi32(_mm256_sub_epi32(a, set1(1u << 23)), 23), zero);
  const __m256i sig = _mm256_sub_epi32(a, _mm256_slli_epi32(em1, 23));
  const __m256i s = _mm256_max_epi32(_mm256_sub_epi32(c.a1, em1), c.b);
  const __m256i n = _mm256_srlv_epi32(sig, s);
  // The fraction as a 32-bit word; its low bit is free (0) whenever n != 0.
  // For s > 32 it is below 2^-8 and only stochastic rounding needs its bits;
  // the other modes see it as sticky.
  __m256i frac = _mm256_sllv_epi32(sig, _mm256_sub_epi32(v32, s));
  if constexpr (R == Rounding::stochastic)
    frac = _mm256_or_si256(frac, _mm256_srlv_epi32(sig, _mm256_sub_epi32(s, v32)));
  __m256i exact = zero;
  if constexpr (F || R == Rounding::upward || R == Rounding::downward || R == Rounding::odd)
    exact = _mm256_or_si256(  // s > 32 is a sticky bit, unless the input is zero
        _mm256_andnot_si256(_mm256_cmpgt_epi32(s, v32), _mm256_cmpeq_epi32(frac, zero)),
        _mm256_cmpeq_epi32(a, zero));
  __m256i up = zero;                            // all ones where the magnitude rounds up
  if constexpr (R == Rounding::nearest_even) {  // (frac | lsb) > 1/2
    const __m256i x = _mm256_or_si256(frac, _mm256_and_si256(n, one));
    up = _mm256_cmpgt_epi32(_mm256_xor_si256(x, half), zero);
  } else if constexpr (R == Rounding::nearest_away) {
    up = _mm256_srai_epi32(frac, 31);
  } else if constexpr (R == Rounding::upward) {
    up = _mm256_xor_si256(_mm256_or_si256(exact, neg), set1(~0u));
  } else if constexpr (R == Rounding::downward) {
    up = _mm256_andnot_si256(exact, neg);
  } else if constexpr (R == Rounding::odd) {
    up = _mm256_andnot_si256(exact, _mm256_cmpeq_epi32(_mm256_and_si256(n, one), zero));
  } else if constexpr (R == Rounding::stochastic) {
    const __m256i r = _mm256_sll_epi32(rb, c.srshift);
    const __m256i sum = _mm256_add_epi32(_mm256_and_si256(frac, c.srtop), r);
    up = _mm256_cmpgt_epi32(_mm256_xor_si256(r, half), _mm256_xor_si256(sum, half));  // carry
  }
  // code = (max(Eeff - Emin, 0) << mbits) + n - off, rounded up by one code.
  const __m256i expo =
      _mm256_sll_epi32(_mm256_max_epi32(_mm256_sub_epi32(em1, c.emin1), c.floor), c.mshift);
  const __m256i rounded = _mm256_sub_epi32(_mm256_add_epi32(expo, n), up);
  __m256i over = zero, out;
  if constexpr (F || K == Map::generic)
    over = _mm256_cmpgt_epi32(rounded, by_sign(c.lim0, c.dlim, neg));
  if constexpr (K == Map::generic) {
    const __m256i nx = _mm256_and_si256(neg, c.xneg);
    out = _mm256_or_si256(_mm256_sub_epi32(_mm256_xor_si256(rounded, nx), nx),
                          _mm256_and_si256(neg, c.sgn));
    out = _mm256_and_si256(out, c.cmask);
    if (p.zero_clear)  // fnuz: a zero result has no sign
      out = _mm256_andnot_si256(_mm256_and_si256(_mm256_cmpeq_epi32(rounded, zero), c.zclear), out);
    out = select(out, by_sign(c.over0, c.dover, neg), over);
  } else {
    const __m256i m = _mm256_min_epi32(rounded, by_sign(c.clamp0, c.dclamp, neg));
    if constexpr (K == Map::float_clamp) {
      out = _mm256_or_si256(m, _mm256_and_si256(neg, c.sgn));
    } else if constexpr (K == Map::fnuz_clamp) {  // the sign only on a nonzero result
      out = _mm256_or_si256(
          m, _mm256_and_si256(_mm256_and_si256(neg, _mm256_cmpgt_epi32(m, zero)), c.sgn));
    } else {
      const __m256i nx = _mm256_and_si256(neg, c.xneg);
      out = _mm256_and_si256(_mm256_sub_epi32(_mm256_xor_si256(m, nx), nx), c.cmask);
    }
  }
  __m256i fl = zero;
  if constexpr (F) {
    const __m256i tiny = _mm256_cmpgt_epi32(c.etiny, a);  // E < Etiny
    fl = _mm256_andnot_si256(
        exact, _mm256_or_si256(set1(kInexact), _mm256_and_si256(tiny, set1(kUnderflow))));
    fl = _mm256_or_si256(fl, _mm256_and_si256(_mm256_cmpeq_epi32(a, zero), c.zinf));
    fl = select(fl, by_sign(c.of0, c.dof, neg), over);
  }
  // Infinity and NaN (E = 255): rare in data, so blended in only when present.
  const __m256i special = _mm256_cmpgt_epi32(a, set1(0x7f7fffff));
  if (!_mm256_testz_si256(special, special)) [[unlikely]] {
    const __m256i is_nan = _mm256_cmpgt_epi32(a, set1(0x7f800000));
    out = select(out, select(by_sign(c.inf0, c.dinf, neg), by_sign(c.nan0, c.dnan, neg), is_nan),
                 special);
    if constexpr (F) {
      const __m256i quiet = _mm256_cmpgt_epi32(_mm256_and_si256(u, set1(0x400000)), zero);
      fl = select(fl, select(by_sign(c.if0, c.dif, neg), select(c.snf, c.qnf, quiet), is_nan),
                  special);
    }
  }
  *flags = fl;
  return out;
}

// The lanes of 32 fp32 patterns that are subnormal (0 < |x| < 2^-126), as bits.
PLUMB_INLINE uint32_t subnormal_mask32(const uint32_t* in32) {
  uint32_t mask = 0;
  for (int j = 0; j < 4; ++j) {
    const __m256i a = _mm256_and_si256(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in32 + 8 * j)), set1(0x7fffffff));
    const __m256i sub = _mm256_and_si256(_mm256_cmpgt_epi32(set1(0x800000), a),
                                         _mm256_cmpgt_epi32(a, _mm256_setzero_si256()));
    mask |= static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(sub))) << (8 * j);
  }
  return mask;
}

// Eight 32-bit lanes x 4 (each < 256) -> 32 bytes in order.
PLUMB_INLINE __m256i pack_bytes(__m256i o0, __m256i o1, __m256i o2, __m256i o3) {
  const __m256i b = _mm256_packus_epi16(_mm256_packus_epi32(o0, o1), _mm256_packus_epi32(o2, o3));
  return _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// 32 elements: fp32 bits from in32[0..32), results to index i of out / flags
// (rbits[i..] for stochastic). Returns the mask of elements for convert_code.
template <Rounding R, bool F, Map K, int OB>
PLUMB_INLINE uint32_t block32(const Plan& p, const Consts& c, const uint32_t* in32, void* out,
                              uint8_t* flags, const uint32_t* rbits, size_t i) {
  __m256i o[4], fl[4];
  for (int j = 0; j < 4; ++j) {
    __m256i rb = _mm256_setzero_si256();
    if constexpr (R == Rounding::stochastic)
      rb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rbits + i + 8 * j));
    const __m256i u = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in32 + 8 * j));
    o[j] = kernel8<R, F, K>(p, c, u, rb, &fl[j]);
  }
  if constexpr (OB == 1) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<uint8_t*>(out) + i),
                        pack_bytes(o[0], o[1], o[2], o[3]));
  } else if constexpr (OB == 2) {
    auto* dst = reinterpret_cast<__m256i*>(static_cast<uint16_t*>(out) + i);
    _mm256_storeu_si256(dst, _mm256_permute4x64_epi64(_mm256_packus_epi32(o[0], o[1]), 0xd8));
    _mm256_storeu_si256(dst + 1, _mm256_permute4x64_epi64(_mm256_packus_epi32(o[2], o[3]), 0xd8));
  } else {
    auto* dst = reinterpret_cast<__m256i*>(static_cast<uint32_t*>(out) + i);
    for (int j = 0; j < 4; ++j) _mm256_storeu_si256(dst + j, o[j]);
  }
  if constexpr (F)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(flags + i),
                        pack_bytes(fl[0], fl[1], fl[2], fl[3]));
  return p.sub_fallback ? subnormal_mask32(in32) : 0;
}

template <Rounding R, bool F, Map K, int OB>
struct Runner {
  const Plan& p;
  const Consts c;
  const void* in;  // the caller's source array (for convert_code)
  void* out;
  uint8_t* flags;
  const uint32_t* rbits;

  void fix(uint32_t subs, size_t i, size_t count) const {
    for (uint32_t m = subs; m; m &= m - 1) {
      const size_t j = static_cast<size_t>(__builtin_ctz(m));
      if (j < count) fix_element(p, in, out, flags, i + j, rbits);
    }
  }

  // count fp32 patterns from in32, results from index i on.
  void run(const uint32_t* in32, size_t count, size_t i) const {
    size_t k = 0;
    for (; k + 32 <= count; k += 32) {
      const uint32_t subs = block32<R, F, K, OB>(p, c, in32 + k, out, flags, rbits, i + k);
      if (subs) fix(subs, i + k, 32);
    }
    if (k == count) return;
    // The tail, through zero-padded buffers.
    const size_t rest = count - k;
    alignas(32) uint32_t tin[32] = {}, trb[32] = {};
    alignas(32) unsigned char tout[32 * OB];
    alignas(32) uint8_t tfl[32];
    std::memcpy(tin, in32 + k, rest * 4);
    if constexpr (R == Rounding::stochastic) std::memcpy(trb, rbits + i + k, rest * 4);
    const uint32_t subs = block32<R, F, K, OB>(p, c, tin, tout, tfl, trb, 0);
    std::memcpy(static_cast<unsigned char*>(out) + (i + k) * OB, tout, rest * OB);
    if constexpr (F) std::memcpy(flags + i + k, tfl, rest);
    if (subs) fix(subs, i + k, rest);
  }

  template <Source S>
  void run_widened(size_t n) const {
    constexpr size_t kChunk = 1024;  // 4 KiB of fp32: stays in L1
    alignas(32) uint32_t buf[kChunk];
    const auto* src = static_cast<const uint16_t*>(in);
    for (size_t i = 0; i < n; i += kChunk) {
      const size_t count = std::min(kChunk, n - i);
      size_t k = 0;
      for (; k + 8 <= count; k += 8)
        _mm256_store_si256(reinterpret_cast<__m256i*>(buf + k),
                           widen8<S>(_mm256_cvtepu16_epi32(
                               _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + k)))));
      if (k < count) {
        alignas(16) uint16_t t[8] = {};
        std::memcpy(t, src + i + k, (count - k) * 2);
        alignas(32) uint32_t w[8];
        _mm256_store_si256(
            reinterpret_cast<__m256i*>(w),
            widen8<S>(_mm256_cvtepu16_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(t)))));
        std::memcpy(buf + k, w, (count - k) * 4);
      }
      run(buf, count, i);
    }
  }
};

template <Rounding R, bool F, Map K, int OB>
void loop(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
          const uint32_t* rbits) {
  const Runner<R, F, K, OB> r{p, Consts(p), in, out, flags, rbits};
  switch (p.source) {
    case Source::fp32:
      return r.run(static_cast<const uint32_t*>(in), n, 0);
    case Source::fp16:
      return r.template run_widened<Source::fp16>(n);
    case Source::bf16:
      return r.template run_widened<Source::bf16>(n);
  }
}

template <Rounding R, bool F, Map K>
void by_out(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
            const uint32_t* rbits) {
  switch (p.out_bytes) {
    case 1:
      return loop<R, F, K, 1>(p, in, out, flags, n, rbits);
    case 2:
      return loop<R, F, K, 2>(p, in, out, flags, n, rbits);
    default:
      return loop<R, F, K, 4>(p, in, out, flags, n, rbits);
  }
}

template <Rounding R, bool F>
void by_map(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
            const uint32_t* rbits) {
  switch (p.map) {
    case Map::float_clamp:
      return by_out<R, F, Map::float_clamp>(p, in, out, flags, n, rbits);
    case Map::fnuz_clamp:
      return by_out<R, F, Map::fnuz_clamp>(p, in, out, flags, n, rbits);
    case Map::int_clamp:
      return by_out<R, F, Map::int_clamp>(p, in, out, flags, n, rbits);
    case Map::generic:
      return by_out<R, F, Map::generic>(p, in, out, flags, n, rbits);
  }
}

template <Rounding R>
void by_flags(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
              const uint32_t* rbits) {
  if (flags)
    by_map<R, true>(p, in, out, flags, n, rbits);
  else
    by_map<R, false>(p, in, out, flags, n, rbits);
}

}  // namespace

void run_avx2(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
              const uint32_t* rbits) {
  switch (p.spec.rounding) {
    case Rounding::nearest_even:
      return by_flags<Rounding::nearest_even>(p, in, out, flags, n, rbits);
    case Rounding::nearest_away:
      return by_flags<Rounding::nearest_away>(p, in, out, flags, n, rbits);
    case Rounding::toward_zero:
      return by_flags<Rounding::toward_zero>(p, in, out, flags, n, rbits);
    case Rounding::upward:
      return by_flags<Rounding::upward>(p, in, out, flags, n, rbits);
    case Rounding::downward:
      return by_flags<Rounding::downward>(p, in, out, flags, n, rbits);
    case Rounding::odd:
      return by_flags<Rounding::odd>(p, in, out, flags, n, rbits);
    case Rounding::stochastic:
      return by_flags<Rounding::stochastic>(p, in, out, flags, n, rbits);
  }
}

}  // namespace plumb::kernels::cpu::fast
