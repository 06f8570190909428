// plumb reference, block oracle: the scale rules (see mpfr_block_rules.hpp).
#include "mpfr_block_rules.hpp"

#include <stdexcept>

namespace plumb::reference::block_oracle {

using namespace mpfr_oracle;

namespace {

long floor_log2(mpfr_srcptr x) { return mpfr_get_exp(x) - 1; }  // x finite, nonzero

bool is_power_of_two(mpfr_srcptr x) {  // x > 0
  return mpfr_cmp_ui_2exp(x, 1, floor_log2(x)) == 0;
}

}  // namespace

ElementFacts::ElementFacts(const BlockFormat& f) : shift(f.element_shift) {
  const Layout l = layout_of(f.element);
  largest_finite(l, max_elem);
  if (mpfr_zero_p(max_elem)) throw std::invalid_argument("the element format has no nonzero finite value");
  mpfr_mul_2si(max_elem, max_elem, shift, MPFR_RNDN);
  emax_elem = floor_log2(max_elem);
  significand_bits = l.integer ? l.mbits : l.mbits + 1;
}

long mx_scale_exponent(ScaleRule rule, mpfr_srcptr amax, const ElementFacts& f, const FormatDesc& scale) {
  const long fl = floor_log2(amax);
  long e = 0;
  switch (rule) {
    case ScaleRule::floor: e = fl - f.emax_elem; break;
    case ScaleRule::ceil: e = fl + (is_power_of_two(amax) ? 0 : 1) - f.emax_elem; break;
    case ScaleRule::even: {
      // a = amax rounded to p significant bits, ties away from zero: the
      // truncation z, plus one unit 2^(fl + 1 - p) when the rest is >= half a unit.
      const int p = f.significand_bits;
      Real z, rest, a;
      mpfr_set(z, amax, MPFR_RNDN);  // exact (256 bits)
      mpfr_prec_round(z, p, MPFR_RNDZ);
      mpfr_sub(rest, amax, z, MPFR_RNDN);  // exact
      mpfr_set(a, z, MPFR_RNDN);
      if (mpfr_cmp_ui_2exp(rest, 1, fl - p) >= 0) {  // half a unit is 2^(fl - p)
        Real unit;
        mpfr_set_ui_2exp(unit, 1, fl + 1 - p, MPFR_RNDN);
        mpfr_add(a, a, unit, MPFR_RNDN);  // exact
      }
      e = floor_log2(a) - f.emax_elem;
      break;
    }
    case ScaleRule::rceil: {
      // The smallest e with max_elem 2^e >= amax: e = ceil(log2(amax / max_elem)).
      // max_elem < 2^(emax_elem + 1) and amax >= 2^fl, so e >= fl - emax_elem;
      // max_elem >= 2^emax_elem, so e <= fl - emax_elem + 1.
      e = fl - f.emax_elem;
      Real bound;
      for (;; ++e) {
        mpfr_mul_2si(bound, f.max_elem, e, MPFR_RNDN);
        if (mpfr_cmp(bound, amax) >= 0) break;
      }
      break;
    }
    default: throw std::invalid_argument("not an MX scale rule");
  }
  const long lowest = -scale.bias;
  const long highest = static_cast<long>(layout_of(scale).mask) - 1 - scale.bias;  // all ones is NaN
  return e < lowest ? lowest : e > highest ? highest : e;
}

NvScales::NvScales(mpfr_srcptr gamax, bool with_tensor_scale, const ElementFacts& e, const RoundTarget& scale)
    : e_(e), scale_(scale) {
  // S_enc = min(fp32(scale_max M / gamax), FLT_MAX); 1 when gamax = 0, when
  // that gives 0, or without a tensor scale. scale_max M (448 * 6, 448 * 7) is exact.
  mpfr_set_ui(s_enc_, 1, MPFR_RNDN);
  if (with_tensor_scale && !mpfr_zero_p(gamax)) {
    mpfr_mul(d_, scale.max(), e.max_elem, MPFR_RNDN);
    fp32_div(w_, d_, gamax);
    fp32_min_flt_max(w_);
    if (!mpfr_zero_p(w_)) fp32_round(s_enc_, w_);
  }
  Real one;
  mpfr_set_ui(one, 1, MPFR_RNDN);
  fp32_div(w_, one, e.max_elem);  // r = fp32(1 / M)
  fp32_mul(t_, s_enc_, w_);       // t = fp32(S_enc r)
  fp32_div(g_, one, s_enc_);      // g = fp32(1 / S_enc)
}

uint64_t NvScales::te_scale(mpfr_srcptr bamax, mpfr_ptr c) const {
  fp32_mul(d_, bamax, t_);  // d = min(fp32(bamax t), FLT_MAX)
  fp32_min_flt_max(d_);
  mpfr_set_ui(w_, 1, MPFR_RNDN);
  const uint64_t s = scale_.round_quotient(d_, w_, Rounding::nearest_even, 0, 0);
  scale_value(s, d_);
  fp32_mul(w_, d_, g_);  // fp32(value(s) g)
  mpfr_set_ui(d_, 1, MPFR_RNDN);
  fp32_div(c, d_, w_);  // 1 / +0 = +infinity, clamped below
  fp32_min_flt_max(c);
  return s;
}

uint64_t NvScales::exact_scale(mpfr_srcptr bamax) const {
  mpfr_mul(d_, bamax, s_enc_, MPFR_RNDN);  // exact
  return scale_.round_quotient(d_, e_.max_elem, Rounding::nearest_even, 0, 0);
}

void NvScales::scale_value(uint64_t code, mpfr_ptr out) const {
  mpfr_set_prec(out, 256);
  if (decode(scale_.layout(), code, out).kind == Kind::zero) mpfr_set_zero(out, 1);
}

}  // namespace plumb::reference::block_oracle
