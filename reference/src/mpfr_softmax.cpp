// plumb reference, softmax oracle (docs/SOFTMAX_SEMANTICS.md "Reference").
//
// For a row with a finite maximum M, every d_i = x_i - M is formed exactly
// (300 bits hold the difference of any two fp32 values; inputs are kept as
// doubles, 8 bytes an element), e_i = exp(d_i) and
// S = sum e_i are computed at working precision p, and y_i = e_i / S. Each
// operation rounds to nearest at precision p, so with n terms the relative
// error of y_i is below (2n + 4) 2^-p. y_i is rounded to the output format at
// both ends of that interval; when the ends give different codes the rounding
// is not decided and the row is recomputed with p doubled (Ziv's strategy).
// Long rows are split over threads (the error bound does not depend on the
// order of the additions).
#include <mpfr.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "plumb/reference/softmax_reference.hpp"

namespace plumb::reference {
namespace {

constexpr mpfr_prec_t kExactBits = 300;
constexpr int kMaxPrecision = 8192;

// What the oracle knows about fp32 / bf16 / fp16: IEEE layouts only.
struct Ieee {
  int ebits, mbits, bias;
  uint64_t nan;  // canonical quiet NaN
};

Ieee ieee_of(const FormatDesc& f) {
  const bool ieee = f.encoding == Encoding::ieee && f.is_signed;
  if (!ieee || !((f.ebits == 8 && (f.mbits == 23 || f.mbits == 7)) || (f.ebits == 5 && f.mbits == 10)))
    throw std::invalid_argument("mpfr_softmax: formats are fp32, bf16 or fp16");
  const uint64_t nan = ((uint64_t{1} << f.ebits) - 1) << f.mbits | uint64_t{1} << (f.mbits - 1);
  return {f.ebits, f.mbits, f.bias, nan};
}

enum class Kind { finite, pos_inf, neg_inf, nan };

// Decodes one code; a finite value is stored exactly in x (fp32, bf16 and
// fp16 values are doubles).
Kind decode(const Ieee& l, uint64_t code, double* x) {
  const bool neg = (code >> (l.ebits + l.mbits)) & 1;
  const uint64_t e = (code >> l.mbits) & ((uint64_t{1} << l.ebits) - 1);
  const uint64_t m = code & ((uint64_t{1} << l.mbits) - 1);
  if (e == (uint64_t{1} << l.ebits) - 1) return m ? Kind::nan : (neg ? Kind::neg_inf : Kind::pos_inf);
  const uint64_t sig = e ? (m | uint64_t{1} << l.mbits) : m;
  const int scale = static_cast<int>(e ? e : 1) - l.bias - l.mbits;
  *x = std::ldexp(static_cast<double>(sig), scale);  // exact: 24 bits, exponent >= -149
  if (neg) *x = -*x;
  return Kind::finite;
}

// Rounds y in [0, 1] to the nearest-even code of l; tmp is scratch of y's precision.
uint64_t encode(const Ieee& l, const mpfr_t y, mpfr_t tmp) {
  if (mpfr_zero_p(y)) return 0;
  const long emin = 1 - l.bias;                          // exponent of the smallest normal
  long q = std::max<long>(mpfr_get_exp(y) - 1, emin) - l.mbits;  // quantum exponent
  mpfr_mul_2si(tmp, y, -q, MPFR_RNDN);                   // exact
  mpfr_rint(tmp, tmp, MPFR_RNDN);                        // nearest, ties to even
  uint64_t k = mpfr_get_ui(tmp, MPFR_RNDN);
  if (k >> (l.mbits + 1)) k >>= 1, ++q;                  // rounded up into the next binade
  if (k >> l.mbits == 0) return k;                       // subnormal (or zero)
  const uint64_t biased = static_cast<uint64_t>(q + l.mbits + l.bias);
  return biased << l.mbits | (k & ((uint64_t{1} << l.mbits) - 1));
}

template <class F>
void parallel_ranges(size_t n, F&& f) {
  const size_t threads = n < (1u << 16) ? 1 : std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) return f(size_t{0}, n);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { f(n * t / threads, n * (t + 1) / threads); });
  for (auto& th : pool) th.join();
}

struct Var {  // an mpfr_t that frees itself
  mpfr_t v;
  explicit Var(mpfr_prec_t p) { mpfr_init2(v, p); }
  ~Var() { mpfr_clear(v); }
  Var(const Var&) = delete;
  Var& operator=(const Var&) = delete;
};

// One row whose maximum M is finite; x[i] = -inf gives +0. d_i = x_i - M is
// formed exactly (kExactBits) when it is needed. Returns the precision used.
int finite_row(const Ieee& out, const double* x, size_t n, double max, uint64_t* codes, double* values) {
  for (mpfr_prec_t p = 64 + 2 * 24;; p *= 2) {
    if (p > kMaxPrecision) throw std::runtime_error("mpfr_softmax: rounding not decided at 8192 bits");
    // S = sum exp(d_i), in per-thread partial sums.
    std::vector<std::unique_ptr<Var>> parts;
    const size_t threads = n < (1u << 16) ? 1 : std::max(1u, std::thread::hardware_concurrency());
    for (size_t t = 0; t < threads; ++t) parts.push_back(std::make_unique<Var>(p));
    {
      std::vector<std::thread> pool;
      auto work = [&](size_t t) {
        Var d(kExactBits), e(p);
        mpfr_set_zero(parts[t]->v, 1);
        for (size_t i = n * t / threads; i < n * (t + 1) / threads; ++i) {
          if (std::isinf(x[i])) continue;
          mpfr_set_d(d.v, x[i], MPFR_RNDN);
          mpfr_sub_d(d.v, d.v, max, MPFR_RNDN);  // exact
          mpfr_exp(e.v, d.v, MPFR_RNDN);
          mpfr_add(parts[t]->v, parts[t]->v, e.v, MPFR_RNDN);
        }
      };
      if (threads == 1) work(0);
      else {
        for (size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
        for (auto& th : pool) th.join();
      }
    }
    Var s(p);
    mpfr_set_zero(s.v, 1);
    for (auto& part : parts) mpfr_add(s.v, s.v, part->v, MPFR_RNDN);
    // Relative error of each y_i below (2n + 4) 2^-p: widen by (2n + 8) 2^-p.
    const double widen = 2.0 * static_cast<double>(n) + 8.0;
    std::atomic<bool> decided{true};
    parallel_ranges(n, [&](size_t b, size_t end) {
      Var d(kExactBits), y(p), lo(p), hi(p), err(p), tmp(p);
      for (size_t i = b; i < end && decided; ++i) {
        if (std::isinf(x[i])) {  // -inf (the only infinity of a finite-max row)
          codes[i] = 0, values[i] = 0.0;
          continue;
        }
        mpfr_set_d(d.v, x[i], MPFR_RNDN);
        mpfr_sub_d(d.v, d.v, max, MPFR_RNDN);
        mpfr_exp(y.v, d.v, MPFR_RNDN);
        mpfr_div(y.v, y.v, s.v, MPFR_RNDN);
        mpfr_mul_d(err.v, y.v, widen, MPFR_RNDU);
        mpfr_mul_2si(err.v, err.v, -p, MPFR_RNDU);
        mpfr_sub(lo.v, y.v, err.v, MPFR_RNDD);
        mpfr_add(hi.v, y.v, err.v, MPFR_RNDU);
        if (mpfr_cmp_ui(hi.v, 1) > 0) mpfr_set_ui(hi.v, 1, MPFR_RNDN);  // y <= 1
        const uint64_t a = encode(out, lo.v, tmp.v), c = encode(out, hi.v, tmp.v);
        if (a != c) {
          decided = false;
          break;
        }
        codes[i] = a;
        values[i] = mpfr_get_d(y.v, MPFR_RNDN);
      }
    });
    if (decided) return static_cast<int>(p);
  }
}

}  // namespace

SoftmaxReference mpfr_softmax(const FormatDesc& in_format, const FormatDesc& out_format,
                              const std::vector<uint64_t>& in, size_t rows, size_t cols, bool safe) {
  const Ieee li = ieee_of(in_format), lo = ieee_of(out_format);
  if (in.size() != rows * cols) throw std::invalid_argument("mpfr_softmax: in.size() != rows * cols");
  SoftmaxReference r;
  r.codes.assign(rows * cols, 0);
  r.values.assign(rows * cols, 0.0);
  std::vector<double> x(cols);
  for (size_t row = 0; row < rows; ++row) {
    const uint64_t* in_row = in.data() + row * cols;
    bool nan = false, pos_inf = false, any_finite = false;
    double max = 0;
    for (size_t c = 0; c < cols; ++c) {
      const Kind k = decode(li, in_row[c], &x[c]);
      if (k == Kind::neg_inf) x[c] = -HUGE_VAL;
      nan |= k == Kind::nan;
      pos_inf |= k == Kind::pos_inf;
      if (k == Kind::finite && (!any_finite || x[c] > max)) max = x[c];
      any_finite |= k == Kind::finite;
    }
    uint64_t* codes = r.codes.data() + row * cols;
    double* values = r.values.data() + row * cols;
    if (nan || pos_inf || (!any_finite && !safe)) {  // NaN row
      std::fill(codes, codes + cols, lo.nan);
      std::fill(values, values + cols, std::nan(""));
      continue;
    }
    if (!any_finite) continue;  // safe variant, all -inf: +0 (already zero)
    r.max_precision = std::max(r.max_precision, finite_row(lo, x.data(), cols, max, codes, values));
  }
  return r;
}

}  // namespace plumb::reference
