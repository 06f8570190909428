// plumb softmax kernels (CPU and CUDA): the fp32 exponential they share, split as
// exp(x) = m * 2^n with m in [2^-0.5, 2^0.5] (Dukhan & Ablavatski keep the
// pair; the other algorithms multiply it out).
//
// n = round(x log2 e); r = x - n ln2 in two steps (Cody-Waite: kLn2Hi has 9
// significant bits, so n * kLn2Hi is exact for |n| < 2^15 and x - n kLn2Hi is
// exact by Sterbenz); m = exp(r) by its Taylor polynomial of degree 7
// (truncation below 2^-27 relative for |r| <= ln2 / 2), in Horner form.
// Relative error of m: about 2^-22 (SOFTMAX_SEMANTICS.md, "exp").
#pragma once

#include <cmath>

#include "plumb/formats/host_device.hpp"

namespace plumb::kernels::softmax_exp {

inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693359375f;          // 355 / 512
inline constexpr float kLn2Lo = -2.12194440054690583e-4f;  // ln 2 - kLn2Hi
// Taylor coefficients 1/k!, k = 2..7.
inline constexpr float kC2 = 1.0f / 2, kC3 = 1.0f / 6, kC4 = 1.0f / 24, kC5 = 1.0f / 120,
                       kC6 = 1.0f / 720, kC7 = 1.0f / 5040;

struct Split {
  float m;  // exp(r)
  float n;  // an integer: exp(x) = m * 2^n
};

// x finite with |x| < 2^22 (the caller's domain).
PLUMB_HD inline Split exp_split(float x) {
#if defined(__CUDA_ARCH__)
  const float n = rintf(x * kLog2e);
#else
  const float n = std::nearbyint(x * kLog2e);
#endif
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = kC7;
  p = p * r + kC6;
  p = p * r + kC5;
  p = p * r + kC4;
  p = p * r + kC3;
  p = p * r + kC2;
  p = p * r;
  const float m = (p * r + r) + 1.0f;
  return {m, n};
}

// exp(d) for d <= 0 (or -inf): 0 below -104 (exp(-104) is under half the
// smallest fp32 subnormal, 2^-149 ~ e^-103.3), else m * 2^n with at most one
// rounding into the subnormals.
PLUMB_HD inline float exp_nonpositive(float d) {
  if (!(d >= -104.0f)) return d != d ? d : 0.0f;  // NaN stays NaN; -inf and tiny give 0
  const Split s = exp_split(d);
#if defined(__CUDA_ARCH__)
  return ldexpf(s.m, static_cast<int>(s.n));
#else
  return std::ldexp(s.m, static_cast<int>(s.n));
#endif
}

}  // namespace plumb::kernels::softmax_exp
