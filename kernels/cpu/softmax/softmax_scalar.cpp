// plumb CPU softmax kernels, scalar fp32 (docs/SOFTMAX_SEMANTICS.md): the
// four algorithms, one element at a time, the sum accumulated in fp64. The
// special rows (NaN, +inf, all -inf) come out of the arithmetic itself where
// the algorithm allows it, and are tested explicitly where it does not (the
// two-pass pair sum, the online rescale -inf - (-inf)).
#include <cmath>
#include <limits>

#include "plumb/kernels/softmax_kernels_decl.hpp"
#include "plumb/kernels/softmax_exp.hpp"
#include "softmax_rows.hpp"

namespace plumb::kernels::cpu {
namespace {

using softmax_exp::exp_nonpositive;
using softmax_exp::exp_split;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Pass 1 of the three-pass algorithms. NaN when the row has a NaN (a NaN
// compares false, so it is looked for separately), +inf when it has +inf.
float row_max(const float* x, size_t n) {
  float m = -kInf;
  bool nan = false;
  for (size_t i = 0; i < n; ++i) {
    nan |= x[i] != x[i];
    m = x[i] > m ? x[i] : m;
  }
  return nan ? kNaN : m;
}

// A row whose max is NaN, +inf or -inf: x - max is NaN for at least one
// element (for -inf: -inf - (-inf)), so the plain result is NaN everywhere.
bool special_row(float max, float* y, size_t n, bool safe) {
  if (std::isfinite(max)) return false;
  const float v = (safe && max == -kInf) ? 0.0f : kNaN;
  for (size_t i = 0; i < n; ++i) y[i] = v;
  return true;
}

void three_pass_recompute(const float* x, float* y, size_t n) {
  const float max = row_max(x, n);
  if (special_row(max, y, n, false)) return;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += exp_nonpositive(x[i] - max);
  const float s = static_cast<float>(sum);
  for (size_t i = 0; i < n; ++i) y[i] = exp_nonpositive(x[i] - max) / s;
}

void three_pass_reload(const float* x, float* y, size_t n) {
  const float max = row_max(x, n);
  if (special_row(max, y, n, false)) return;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += (y[i] = exp_nonpositive(x[i] - max));
  const float s = static_cast<float>(sum);
  for (size_t i = 0; i < n; ++i) y[i] = y[i] / s;
}

// Dukhan & Ablavatski: exp(x_i) = m_i 2^(n_i); the sum is kept as a pair
// (ms, ns) whose exponent only grows, so nothing overflows and no max pass is
// needed. Outside |x| < 2^22 the split's integer n is not exact in fp32: such
// a row is computed by three_pass_recompute (documented domain).
constexpr float kTwoPassDomain = 4194304.0f;  // 2^22

void two_pass(const float* x, float* y, size_t n) {
  double ms = 0;
  float ns = -kInf;
  bool nan = false, pos_inf = false, outside = false;
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!(std::fabs(v) < kTwoPassDomain)) {  // NaN, +-inf, huge
      nan |= v != v;
      pos_inf |= v == kInf;
      outside |= std::isfinite(v);
      continue;  // -inf contributes 0
    }
    const auto s = exp_split(v);
    if (s.n > ns) {
      ms = std::ldexp(ms, static_cast<int>(ns == -kInf ? -2000.0f : ns - s.n)) + s.m;
      ns = s.n;
    } else {
      ms += std::ldexp(static_cast<double>(s.m), static_cast<int>(s.n - ns));
    }
  }
  if (outside && !nan && !pos_inf) return three_pass_recompute(x, y, n);
  if (nan || pos_inf || ms == 0) {  // ms == 0: every element -inf
    for (size_t i = 0; i < n; ++i) y[i] = kNaN;
    return;
  }
  const float m = static_cast<float>(ms);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] == -kInf) {
      y[i] = 0.0f;
      continue;
    }
    const auto s = exp_split(x[i]);
    const float diff = s.n - ns;  // exact: both integers below 2^23
    y[i] = diff < -300.0f ? 0.0f : std::ldexp(s.m / m, static_cast<int>(diff));
  }
}

// Milakov & Gimelshein: max and sum in one pass, the sum rescaled by
// exp(old max - new max) whenever the max grows. When the running max is
// -inf and so is the element, the update would be exp(-inf - (-inf)) = NaN:
// the element contributes 0 and nothing is rescaled.
template <bool Safe>
void online(const float* x, float* y, size_t n) {
  float max = -kInf;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (v > max) {
      sum = sum * exp_nonpositive(max - v) + 1.0;  // exp(v - v) = 1; -inf - v = -inf: 0
      max = v;
    } else if (v == -kInf) {  // max is -inf too, or finite: adds exp(-inf) = 0
    } else {
      sum += exp_nonpositive(v - max);  // NaN (v or +inf - +inf) propagates
    }
  }
  // max = +inf: sum became NaN (inf - inf) or stays with v = +inf -> handled here.
  if (max == kInf || sum != sum) {
    for (size_t i = 0; i < n; ++i) y[i] = kNaN;
    return;
  }
  if (special_row(max, y, n, Safe)) return;
  const float s = static_cast<float>(sum);
  for (size_t i = 0; i < n; ++i) y[i] = exp_nonpositive(x[i] - max) / s;
}

// PLANTED BUG: no max subtracted. exp(x) overflows to inf above ~88.7.
void planted_no_max(const float* x, float* y, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += std::exp(x[i]);
  const float s = static_cast<float>(sum);
  for (size_t i = 0; i < n; ++i) y[i] = std::exp(x[i]) / s;
}

}  // namespace

#define PLUMB_SOFTMAX_ROWS(fn, row)                                                             \
  PLUMB_DECLARE_SOFTMAX_FN(fn) {                                                              \
    return softmax_rows::fp32_rows(in_format, out_format, in, out, rows, cols, message, row); \
  }
PLUMB_SOFTMAX_ROWS(softmax_three_pass_recompute, three_pass_recompute)
PLUMB_SOFTMAX_ROWS(softmax_three_pass_reload, three_pass_reload)
PLUMB_SOFTMAX_ROWS(softmax_two_pass, two_pass)
PLUMB_SOFTMAX_ROWS(softmax_online, online<false>)
PLUMB_SOFTMAX_ROWS(softmax_online_safe, online<true>)
PLUMB_SOFTMAX_ROWS(softmax_planted_no_max, planted_no_max)
#undef PLUMB_SOFTMAX_ROWS

}  // namespace plumb::kernels::cpu
