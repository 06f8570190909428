// plumb reference, block oracle: MPFR numbers with RAII, and IEEE binary32
// arithmetic emulated with MPFR. Private to the block oracle (mpfr_block*.cpp).
//
// An fp32 operation is MPFR's correctly rounded result at precision 24 in
// MPFR's default (huge) exponent range, then mpfr_check_range and
// mpfr_subnormalize under binary32's range (emin -148, emax 128): round to
// nearest even, gradual underflow, overflow to infinity, as the MPFR manual
// describes for emulating IEEE formats. Signed zeros and NaN follow MPFR,
// which follows IEEE 754 (x - x = +0 under round to nearest).
#pragma once

#include <mpfr.h>

namespace plumb::reference::block_oracle {

// One MPFR number, cleared on destruction. Converts to mpfr_ptr, so a Real
// is passed to the MPFR functions directly.
class Real {
 public:
  explicit Real(mpfr_prec_t precision = 256) { mpfr_init2(v_, precision); }
  ~Real() { mpfr_clear(v_); }
  Real(const Real&) = delete;
  Real& operator=(const Real&) = delete;
  operator mpfr_ptr() { return v_; }
  operator mpfr_srcptr() const { return v_; }

 private:
  mpfr_t v_;
};

// Precision of an fp32 value held in MPFR.
inline constexpr mpfr_prec_t kFp32Precision = 24;

// Sets MPFR's exponent range, and restores the previous one on destruction.
class ExponentRange {
 public:
  ExponentRange(mpfr_exp_t emin, mpfr_exp_t emax);
  ~ExponentRange();
  ExponentRange(const ExponentRange&) = delete;
  ExponentRange& operator=(const ExponentRange&) = delete;

 private:
  mpfr_exp_t old_emin_, old_emax_;
};

// r = fp32(a op b): one correctly rounded binary32 operation. r has any
// precision >= 24 on entry; it is set to precision 24. Operands are fp32
// values (or exact values for fp32_round).
void fp32_add(mpfr_ptr r, mpfr_srcptr a, mpfr_srcptr b);
void fp32_sub(mpfr_ptr r, mpfr_srcptr a, mpfr_srcptr b);
void fp32_mul(mpfr_ptr r, mpfr_srcptr a, mpfr_srcptr b);
void fp32_div(mpfr_ptr r, mpfr_srcptr a, mpfr_srcptr b);
// r = fp32(x): one rounding of an exact value x (any exponent).
void fp32_round(mpfr_ptr r, mpfr_srcptr x);
// r = min(r, FLT_MAX) for r >= 0 or +infinity (the NV rules' clamp).
void fp32_min_flt_max(mpfr_ptr r);
// The fp32 value r as a float (exact: r must be an fp32 value).
float fp32_to_float(mpfr_srcptr r);
// r = the float f, exactly (NaN, infinities and -0 included).
void fp32_set(mpfr_ptr r, float f);

}  // namespace plumb::reference::block_oracle
