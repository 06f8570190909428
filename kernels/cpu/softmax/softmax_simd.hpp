// plumb CPU softmax kernels, vectorised: the four algorithms of
// softmax_scalar.cpp on W fp32 lanes, written once with GCC vector
// extensions and compiled per ISA (softmax_avx2.cpp: W = 8 with -mavx2 -mfma;
// softmax_avx512.cpp: W = 16 with -mavx512f). Element i of a row goes to lane
// i % W; the tail is padded with -inf, which adds 0. Each lane accumulates in
// fp32 and is flushed into an fp64 total every kFlush elements of the row
// (SoftmaxErrorModel: lanes W, fp32_block kFlush / W). The exp is
// softmax_exp.hpp's, with n rounded by the 1.5 * 2^23 addition (|x| < 2^21).
// Special rows: as softmax_scalar.cpp (docs/SOFTMAX_SEMANTICS.md).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "plumb/kernels/softmax_exp.hpp"

namespace plumb::kernels::cpu::simd {

inline constexpr size_t kFlush = 256;

template <int W>
struct Vec {
  typedef float F __attribute__((vector_size(4 * W)));
  typedef int I __attribute__((vector_size(4 * W)));
};

template <int W>
struct Softmax {
  using F = typename Vec<W>::F;
  using I = typename Vec<W>::I;
  static constexpr float kInf = std::numeric_limits<float>::infinity();

  static F splat(float v) { return F{} + v; }
  static F load(const float* p, size_t left) {  // left < W: padded with -inf
    F v;
    if (left >= W) {
      std::memcpy(&v, p, sizeof v);  // a constant size: one unaligned load
      return v;
    }
    v = splat(-kInf);
    for (size_t l = 0; l < left; ++l) v[l] = p[l];
    return v;
  }
  static void store(float* p, F v, size_t left) {
    if (left >= W) return (void)std::memcpy(p, &v, sizeof v);
    for (size_t l = 0; l < left; ++l) p[l] = v[l];
  }
  static F vmax(F a, F b) { return a > b ? a : b; }
  static float hmax(F v) {
    float m = v[0];
    for (int l = 1; l < W; ++l) m = v[l] > m ? v[l] : m;
    return m;
  }
  // 2^k for integer-valued k in [-126, 127].
  static F pow2(F k) {
    const I bits = (__builtin_convertvector(k, I) + 127) << 23;
    F out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
  }
  // 2^k in fp64 for integer-valued k <= 0, 0 below -1022 (exact; no libm call).
  static double pow2d(double k) {
    if (k < -1022.0) return 0.0;
    const uint64_t bits = static_cast<uint64_t>(static_cast<int64_t>(k) + 1023) << 52;
    double out;
    std::memcpy(&out, &bits, sizeof out);
    return out;
  }
  // 2^k for integer-valued k <= 0 (or -inf), 0 below -126.
  static F pow2_or_zero(F k) {
    const F c = vmax(k, splat(-127.0f));
    return c < -126.0f ? splat(0.0f) : pow2(c);
  }
  // v * 2^k for integer-valued k <= 0: 0 below -252, at most two roundings
  // into the subnormals (SOFTMAX_SEMANTICS.md allows 2^-149 there).
  static F scale(F v, F k) {
    const F k1 = vmax(k, splat(-126.0f));
    const F k2 = vmax(k - k1, splat(-126.0f));
    const F r = v * pow2(k1) * pow2(k2);
    return k < -252.0f ? splat(0.0f) : r;
  }
  // exp(x) = m * 2^n (softmax_exp::exp_split on W lanes).
  static void split(F x, F& m, F& n) {
    using namespace softmax_exp;
    const F magic = splat(12582912.0f);  // 1.5 * 2^23
    n = (x * kLog2e + magic) - magic;
    F r = x - n * kLn2Hi;
    r = r - n * kLn2Lo;
    F p = splat(kC7);
    p = p * r + kC6;
    p = p * r + kC5;
    p = p * r + kC4;
    p = p * r + kC3;
    p = p * r + kC2;
    p = p * r;
    m = (p * r + r) + 1.0f;
  }
  // exp(d) for d <= 0, -inf or NaN (NaN propagates; below -104: 0).
  static F exp_nonpositive(F d) {
    F m, n;
    split(vmax(d, splat(-110.0f)), m, n);
    const F e = scale(m, n);
    return d >= -104.0f ? e : (d != d ? d : splat(0.0f));
  }
  static void fill(float* y, size_t n, float v) {
    for (size_t i = 0; i < n; ++i) y[i] = v;
  }

  // Pass 1 of the three-pass algorithms: the max, NaN when the row has a NaN.
  static float row_max(const float* x, size_t n) {
    F m = splat(-kInf);
    F nan = splat(0.0f);
    for (size_t i = 0; i < n; i += W) {
      const F v = load(x + i, n - i);
      m = vmax(m, v);
      nan = v != v ? splat(1.0f) : nan;
    }
    for (int l = 0; l < W; ++l)
      if (nan[l] != 0) return std::numeric_limits<float>::quiet_NaN();
    return hmax(m);
  }
  static bool special_row(float max, float* y, size_t n, bool safe) {
    if (std::isfinite(max)) return false;
    fill(y, n, safe && max == -kInf ? 0.0f : std::numeric_limits<float>::quiet_NaN());
    return true;
  }
  // Sum of exp(x - max) in fp32 lanes flushed into fp64; Store: also y = exp.
  template <bool Store>
  static double exp_sum(const float* x, float* y, size_t n, float max) {
    double total = 0;
    for (size_t b = 0; b < n; b += kFlush) {
      F s = splat(0.0f);
      const size_t end = b + kFlush < n ? b + kFlush : n;
      for (size_t i = b; i < end; i += W) {
        const F e = exp_nonpositive(load(x + i, n - i) - max);
        if constexpr (Store) store(y + i, e, n - i);
        s += e;
      }
      for (int l = 0; l < W; ++l) total += s[l];
    }
    return total;
  }

  template <bool Reload>
  static void three_pass(const float* x, float* y, size_t n) {
    const float max = row_max(x, n);
    if (special_row(max, y, n, false)) return;
    const F s = splat(static_cast<float>(exp_sum<Reload>(x, y, n, max)));
    for (size_t i = 0; i < n; i += W) {
      const F e = Reload ? load(y + i, n - i) : exp_nonpositive(load(x + i, n - i) - max);
      store(y + i, e / s, n - i);
    }
  }

  static void two_pass(const float* x, float* y, size_t n) {
    constexpr float kDomain = 2097152.0f;  // 2^21: the magic rounding's range
    double dm = 0, dn = -kInf;             // the fp64 (mantissa, exponent) total
    F bad = splat(0.0f);                   // NaN, +inf or outside the domain: 1
    for (size_t b = 0; b < n; b += kFlush) {
      F sm = splat(0.0f), sn = splat(-kInf);
      const size_t end = b + kFlush < n ? b + kFlush : n;
      for (size_t i = b; i < end; i += W) {
        const F v = load(x + i, n - i);
        bad = (v != v) | (v >= kDomain) | ((v <= -kDomain) & (v != -kInf)) ? splat(1.0f) : bad;
        F m, e;
        split(v, m, e);
        m = v == -kInf ? splat(0.0f) : m;
        e = v == -kInf ? splat(-kInf) : e;
        const F top = vmax(sn, e);
        const F keep = top == -kInf ? splat(0.0f) : top;  // all -inf so far: no scaling
        // Both factors are 2^k, k <= 0; a term below 2^-126 of the lane's sum is dropped
        // (relative error < 2^-126 per term, inside K's slack).
        sm = sm * pow2_or_zero(sn - keep) + m * pow2_or_zero(e - keep);
        sn = top;
      }
      for (int l = 0; l < W; ++l) {
        if (sn[l] == -kInf) continue;
        const double top = sn[l] > dn ? sn[l] : dn;
        dm = (dn == -kInf ? 0.0 : dm * pow2d(dn - top)) + static_cast<double>(sm[l]) * pow2d(sn[l] - top);
        dn = top;
      }
    }
    bool any_bad = false;
    for (int l = 0; l < W; ++l) any_bad |= bad[l] != 0;
    if (any_bad) return three_pass<false>(x, y, n);  // NaN, +inf, or out of domain
    if (dm == 0) return fill(y, n, std::numeric_limits<float>::quiet_NaN());  // all -inf
    const F m = splat(static_cast<float>(dm)), ns = splat(static_cast<float>(dn));
    for (size_t i = 0; i < n; i += W) {
      const F v = load(x + i, n - i);
      F mi, ei;
      split(v, mi, ei);
      const F q = scale(mi / m, vmax(ei - ns, splat(-300.0f)));
      store(y + i, v == -kInf ? splat(0.0f) : q, n - i);
    }
  }

  template <bool Safe>
  static void online(const float* x, float* y, size_t n) {
    F m = splat(-kInf), nan = splat(0.0f);
    F dm = splat(-kInf);       // the max the fp64 lane totals are relative to
    double total[W] = {};
    for (size_t b = 0; b < n; b += kFlush) {
      F s = splat(0.0f);
      const size_t end = b + kFlush < n ? b + kFlush : n;
      for (size_t i = b; i < end; i += W) {
        const F v = load(x + i, n - i);
        nan = v != v ? splat(1.0f) : nan;
        const F top = vmax(m, v);
        // top = -inf: the lane has seen only -inf; skip the rescale, whose
        // exponent would be -inf - (-inf).
        const F rescale = exp_nonpositive(m - top);
        const F add = exp_nonpositive(v - top);
        s = top == -kInf ? s : s * rescale + add;
        m = top;
      }
      const F f = exp_nonpositive(dm - m);
      for (int l = 0; l < W; ++l) {
        if (m[l] == -kInf) continue;
        total[l] = (dm[l] == -kInf ? 0.0 : total[l] * f[l]) + s[l];
      }
      dm = m;
    }
    for (int l = 0; l < W; ++l)
      if (nan[l] != 0) return fill(y, n, std::numeric_limits<float>::quiet_NaN());
    const float max = hmax(m);
    if (special_row(max, y, n, Safe)) return;
    double sum = 0;
    for (int l = 0; l < W; ++l)
      if (m[l] != -kInf) sum += total[l] * softmax_exp::exp_nonpositive(m[l] - max);
    if (sum != sum) return fill(y, n, std::numeric_limits<float>::quiet_NaN());
    const F sv = splat(static_cast<float>(sum));
    for (size_t i = 0; i < n; i += W) store(y + i, exp_nonpositive(load(x + i, n - i) - max) / sv, n - i);
  }
};

}  // namespace plumb::kernels::cpu::simd
