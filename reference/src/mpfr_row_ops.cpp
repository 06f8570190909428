// plumb reference, RMSNorm and attention oracles (row_op_reference.hpp).
//
// Error bounds (u = 2^-p, every MPFR operation rounds to nearest at p):
//  RMSNorm: s = sum x^2 (n products, n additions), / n, + eps, sqrt, and the
//  quotient: |y~ - y| <= (n + 8) u |y| (the bound used is 2 (n + 8) u |y|).
//  Attention: scores s_j = scale (q . k_j) with absolute error
//  E_s <= (dim + 2) u scale sum_d |q_d k_jd|; e_j = exp(s_j - m) then has a
//  relative error <= 2 E_s + (|s_j - m| + 2) u; sums of kv terms add kv u. The
//  output's absolute error is bounded by 2 (eps_e + (kv + 2) u) (sum_j e_j
//  |v_jd| + |o_d|) / l + 2 u |out|, eps_e the largest e_j error.
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "plumb/reference/row_op_reference.hpp"

namespace plumb::reference {
namespace {

constexpr mpfr_prec_t kStartPrecision = 128;
constexpr mpfr_prec_t kMaxPrecision = 8192;

struct Num {  // an mpfr_t that frees itself
  mpfr_t v;
  explicit Num(mpfr_prec_t p) { mpfr_init2(v, p); }
  ~Num() { mpfr_clear(v); }
  Num(const Num&) = delete;
  Num& operator=(const Num&) = delete;
};

int mantissa_bits(RowOutFormat f) { return f == RowOutFormat::fp32 ? 23 : 7; }

// y rounded to nearest even into the output format (fp32's exponent range,
// gradual underflow); held exactly in a double. tmp: scratch of y's precision.
double round_out(mpfr_srcptr y, RowOutFormat f, mpfr_ptr tmp) {
  if (mpfr_zero_p(y)) return 0.0;
  const long mbits = mantissa_bits(f);
  const long q = std::max<long>(mpfr_get_exp(y) - 1, -126) - mbits;  // quantum exponent
  mpfr_mul_2si(tmp, y, -q, MPFR_RNDN);                                 // exact
  mpfr_rint(tmp, tmp, MPFR_RNDN);                                      // ties to even
  return std::ldexp(mpfr_get_d(tmp, MPFR_RNDN), static_cast<int>(q));  // <= 25 bits: exact
}

// Rounds y +- err; true (and *out set) when both ends give the same value.
bool decided(mpfr_srcptr y, double err, RowOutFormat f, double* out) {
  const mpfr_prec_t p = mpfr_get_prec(y);
  Num lo(p + 64), hi(p + 64), tmp(p + 64);
  mpfr_sub_d(lo.v, y, err, MPFR_RNDD);
  mpfr_add_d(hi.v, y, err, MPFR_RNDU);
  const double a = round_out(lo.v, f, tmp.v), b = round_out(hi.v, f, tmp.v);
  if (a != b) return false;
  *out = a;
  return true;
}

void check_finite(const std::vector<float>& x, const char* what) {
  for (float v : x)
    if (!std::isfinite(v)) throw std::invalid_argument(std::string("mpfr reference: non-finite value in ") + what);
}

}  // namespace

std::vector<float> mpfr_rmsnorm(const std::vector<float>& x, size_t rows, size_t cols, float eps,
                                RowOutFormat out) {
  if (cols == 0 || x.size() != rows * cols) throw std::invalid_argument("mpfr_rmsnorm: x must be rows x cols, cols > 0");
  if (!(eps >= 0.0f) || !std::isfinite(eps)) throw std::invalid_argument("mpfr_rmsnorm: eps must be finite and >= 0");
  check_finite(x, "rmsnorm input");
  std::vector<float> y(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x.data() + r * cols;
    for (mpfr_prec_t p = kStartPrecision;; p *= 2) {
      if (p > kMaxPrecision) throw std::runtime_error("mpfr_rmsnorm: rounding not decided at 8192 bits");
      Num s(p), t(p), inv(p);
      mpfr_set_zero(s.v, 1);
      for (size_t i = 0; i < cols; ++i) {
        mpfr_set_flt(t.v, row[i], MPFR_RNDN);
        mpfr_sqr(t.v, t.v, MPFR_RNDN);
        mpfr_add(s.v, s.v, t.v, MPFR_RNDN);
      }
      mpfr_div_ui(s.v, s.v, cols, MPFR_RNDN);
      mpfr_add_d(s.v, s.v, eps, MPFR_RNDN);
      if (mpfr_zero_p(s.v)) {  // all zeros, eps 0: 0 / 0
        for (size_t i = 0; i < cols; ++i) y[r * cols + i] = std::numeric_limits<float>::quiet_NaN();
        break;
      }
      mpfr_sqrt(s.v, s.v, MPFR_RNDN);
      bool all = true;
      for (size_t i = 0; i < cols && all; ++i) {
        mpfr_set_flt(t.v, row[i], MPFR_RNDN);
        mpfr_div(inv.v, t.v, s.v, MPFR_RNDN);
        const double err = std::ldexp(std::fabs(mpfr_get_d(inv.v, MPFR_RNDU)) * 2.0 * (double(cols) + 8.0), -int(p));
        double v = 0;
        all = decided(inv.v, err, out, &v);
        y[r * cols + i] = static_cast<float>(v);
      }
      if (all) break;
    }
  }
  return y;
}

std::vector<float> mpfr_attention(const std::vector<float>& q, const std::vector<float>& k,
                                  const std::vector<float>& v, size_t rows, size_t kv, size_t dim,
                                  float scale, RowOutFormat out) {
  if (kv == 0 || dim == 0 || q.size() != rows * dim || k.size() != kv * dim || v.size() != kv * dim)
    throw std::invalid_argument("mpfr_attention: q must be rows x dim, k and v kv x dim (kv, dim > 0)");
  check_finite(q, "attention q");
  check_finite(k, "attention k");
  check_finite(v, "attention v");
  if (!std::isfinite(scale)) throw std::invalid_argument("mpfr_attention: scale must be finite");
  std::vector<float> y(rows * dim);
  for (size_t r = 0; r < rows; ++r) {
    const float* qr = q.data() + r * dim;
    for (mpfr_prec_t p = kStartPrecision;; p *= 2) {
      if (p > kMaxPrecision) throw std::runtime_error("mpfr_attention: rounding not decided at 8192 bits");
      const double u = std::ldexp(1.0, -int(p));
      std::vector<std::unique_ptr<Num>> e;  // exp(s_j - m), then reused
      Num t(p), m(p), l(p), o(p), a(p), tmp(p);
      double abs_dot_max = 0, spread_max = 0;
      for (size_t j = 0; j < kv; ++j) {
        e.push_back(std::make_unique<Num>(p));
        mpfr_set_zero(e[j]->v, 1);
        double abs_dot = 0;
        for (size_t d = 0; d < dim; ++d) {
          mpfr_set_flt(t.v, qr[d], MPFR_RNDN);
          mpfr_mul_d(t.v, t.v, k[j * dim + d], MPFR_RNDN);
          mpfr_add(e[j]->v, e[j]->v, t.v, MPFR_RNDN);
          abs_dot += std::fabs(double(qr[d]) * k[j * dim + d]);
        }
        mpfr_mul_d(e[j]->v, e[j]->v, scale, MPFR_RNDN);
        abs_dot_max = std::max(abs_dot_max, abs_dot * std::fabs(double(scale)));
        if (j == 0 || mpfr_greater_p(e[j]->v, m.v)) mpfr_set(m.v, e[j]->v, MPFR_RNDN);
      }
      mpfr_set_zero(l.v, 1);
      for (size_t j = 0; j < kv; ++j) {
        mpfr_sub(e[j]->v, e[j]->v, m.v, MPFR_RNDN);
        spread_max = std::max(spread_max, std::fabs(mpfr_get_d(e[j]->v, MPFR_RNDN)));
        mpfr_exp(e[j]->v, e[j]->v, MPFR_RNDN);
        mpfr_add(l.v, l.v, e[j]->v, MPFR_RNDN);
      }
      const double e_s = (double(dim) + 2) * u * abs_dot_max * 1.01;
      const double eps_e = (2 * e_s + (spread_max + 2) * u) * 1.01;
      bool all = true;
      for (size_t d = 0; d < dim && all; ++d) {
        mpfr_set_zero(o.v, 1);
        mpfr_set_zero(a.v, 1);
        for (size_t j = 0; j < kv; ++j) {
          mpfr_mul_d(tmp.v, e[j]->v, v[j * dim + d], MPFR_RNDN);
          mpfr_add(o.v, o.v, tmp.v, MPFR_RNDN);
          mpfr_mul_d(tmp.v, e[j]->v, std::fabs(v[j * dim + d]), MPFR_RNDN);
          mpfr_add(a.v, a.v, tmp.v, MPFR_RNDN);
        }
        mpfr_div(tmp.v, a.v, l.v, MPFR_RNDU);
        const double weight = mpfr_get_d(tmp.v, MPFR_RNDU) * 2.02;  // >= (sum e |v| + |o|) / l: |o| <= sum e |v|
        mpfr_div(o.v, o.v, l.v, MPFR_RNDN);
        const double err = 2 * (eps_e + (double(kv) + 2) * u) * weight + 2 * u * std::fabs(mpfr_get_d(o.v, MPFR_RNDU));
        double value = 0;
        all = decided(o.v, err, out, &value);
        y[r * dim + d] = static_cast<float>(value);
      }
      if (all) break;
    }
  }
  return y;
}

}  // namespace plumb::reference
