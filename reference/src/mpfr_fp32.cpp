// plumb reference, block oracle: binary32 arithmetic emulated with MPFR
// (see mpfr_fp32.hpp).
#include "mpfr_fp32.hpp"

#include <cfloat>

namespace plumb::reference::block_oracle {

namespace {

// binary32 in MPFR's terms: the largest finite value is (1 - 2^-24) 2^128, so
// emax = 128; the smallest subnormal 2^-149 = 2^(emin - 1), so emin = -148.
constexpr mpfr_exp_t kFp32Emin = -148;
constexpr mpfr_exp_t kFp32Emax = 128;

// The second half of every operation: r holds a 24-bit result rounded in the
// unbounded range, with ternary value t; bring it into binary32's range.
void finish(mpfr_ptr r, int t) {
  const ExponentRange range(kFp32Emin, kFp32Emax);
  t = mpfr_check_range(r, t, MPFR_RNDN);
  mpfr_subnormalize(r, t, MPFR_RNDN);
}

}  // namespace

ExponentRange::ExponentRange(mpfr_exp_t emin, mpfr_exp_t emax)
    : old_emin_(mpfr_get_emin()), old_emax_(mpfr_get_emax()) {
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
}

ExponentRange::~ExponentRange() {
  mpfr_set_emin(old_emin_);
  mpfr_set_emax(old_emax_);
}

// r may alias an operand: MPFR allows it, and set_prec would destroy the
// operand, so the result is computed in a 24-bit temporary first.
#define PLUMB_FP32_OP(name, mpfr_fn)                            \
  void name(mpfr_ptr r, mpfr_srcptr a, mpfr_srcptr b) {         \
    mpfr_t t;                                                   \
    mpfr_init2(t, kFp32Precision);                              \
    const int ternary = mpfr_fn(t, a, b, MPFR_RNDN);            \
    finish(t, ternary);                                         \
    mpfr_set_prec(r, kFp32Precision);                           \
    mpfr_set(r, t, MPFR_RNDN);                                  \
    mpfr_clear(t);                                              \
  }
PLUMB_FP32_OP(fp32_add, mpfr_add)
PLUMB_FP32_OP(fp32_sub, mpfr_sub)
PLUMB_FP32_OP(fp32_mul, mpfr_mul)
PLUMB_FP32_OP(fp32_div, mpfr_div)
#undef PLUMB_FP32_OP

void fp32_round(mpfr_ptr r, mpfr_srcptr x) {
  mpfr_t t;
  mpfr_init2(t, kFp32Precision);
  finish(t, mpfr_set(t, x, MPFR_RNDN));
  mpfr_set_prec(r, kFp32Precision);
  mpfr_set(r, t, MPFR_RNDN);
  mpfr_clear(t);
}

void fp32_min_flt_max(mpfr_ptr r) {
  if (mpfr_inf_p(r) || mpfr_cmp_d(r, FLT_MAX) > 0) {
    mpfr_set_prec(r, kFp32Precision);
    mpfr_set_flt(r, FLT_MAX, MPFR_RNDN);
  }
}

float fp32_to_float(mpfr_srcptr r) { return mpfr_get_flt(r, MPFR_RNDN); }

void fp32_set(mpfr_ptr r, float f) {
  mpfr_set_prec(r, kFp32Precision);
  mpfr_set_flt(r, f, MPFR_RNDN);
}

}  // namespace plumb::reference::block_oracle
