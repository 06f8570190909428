// plumb reference: the primary conversion oracle, in MPFR arithmetic.
//
// The source code is decoded into an exact MPFR number (64 bits of precision
// hold every source significand). The target is emulated as the MPFR manual
// describes: precision p = mbits + 1, rounding in the unbounded range, then
// mpfr_check_range and mpfr_subnormalize under the target's emin/emax. The
// IEEE modes (nearest-even, toward zero, upward, downward) are that emulation
// directly. The other modes (nearest-away, odd, stochastic, and nearest-even
// for precision-1 and integer targets) take the two neighbours of x, both
// rounded by MPFR: z toward zero and a away from zero, and decide between
// them with exact MPFR operations: |x| against the midpoint (z + a) / 2, the
// parity of n = |z| / (a - z), the fraction (|x| - |z|) / (a - z).
//
// Special values, overflow and flags follow docs/SEMANTICS.md; mpfr_format.hpp
// derives everything about a format from FormatDesc's description fields.
#include <mpfr.h>

#include <cstdint>

#include "mpfr_format.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace plumb::reference {
namespace {

using namespace mpfr_oracle;

// Preallocated variables, one set per thread (MPFR's exponent range is
// thread-local as well in a TLS build: mpfr_buildopt_tls_p()).
struct Workspace {
  mpfr_t x;        // the exact source value
  mpfr_t y, z, a;  // rounded results: the result, the two neighbours
  mpfr_t t, d;     // scratch, the quantum
  mpfr_t max;      // the largest finite magnitude
  mpfr_t limit;    // the largest magnitude of x's sign (signed integers: one more below 0)
  Workspace() {
    mpfr_inits2(256, t, d, static_cast<mpfr_ptr>(nullptr));
    mpfr_inits2(128, y, z, a, max, limit, static_cast<mpfr_ptr>(nullptr));
    mpfr_init2(x, 64);
  }
  ~Workspace() { mpfr_clears(x, y, z, a, t, d, max, limit, static_cast<mpfr_ptr>(nullptr)); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
};

Workspace& workspace() {
  thread_local Workspace w;
  return w;
}

// Sets MPFR's exponent range for one emulated rounding, and restores it.
class ExponentRange {
 public:
  ExponentRange(mpfr_exp_t emin, mpfr_exp_t emax)
      : old_emin_(mpfr_get_emin()), old_emax_(mpfr_get_emax()) {
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
  }
  ~ExponentRange() {
    mpfr_set_emin(old_emin_);
    mpfr_set_emax(old_emax_);
  }
  ExponentRange(const ExponentRange&) = delete;
  ExponentRange& operator=(const ExponentRange&) = delete;

 private:
  mpfr_exp_t old_emin_, old_emax_;
};

// Rounds x into target l with MPFR mode rnd: the target's precision and
// gradual underflow, with an exponent range reaching two binades past the
// largest finite value `max` (overflow is judged afterwards, against `max`).
// Returns MPFR's ternary value: 0 when out == x.
int round_into(const Layout& l, mpfr_t out, const mpfr_t x, const mpfr_t max, mpfr_rnd_t rnd) {
  if (l.integer) {
    mpfr_set_prec(out, 128);  // holds the integer neighbours of any 64-bit source
    return mpfr_rint(out, x, rnd);
  }
  mpfr_set_prec(out, l.mbits + 1);
  int inex = mpfr_set(out, x, rnd);  // p bits, unbounded exponent
  // MPFR's exponent e means a value in [2^(e-1), 2^e): the smallest subnormal
  // 2^(min_exp - m) has MPFR exponent min_exp - m + 1.
  const mpfr_exp_t top = mpfr_zero_p(max) ? l.min_exp : mpfr_get_exp(max);
  const ExponentRange range(l.min_exp - l.mbits + 1, top + 2);
  inex = mpfr_check_range(out, inex, rnd);
  return mpfr_subnormalize(out, inex, rnd);
}

// nearest-even of precision 1 (every significand is odd) and of integers is
// decided from the neighbours, as are the modes MPFR does not have.
bool needs_neighbours(const Layout& l, Rounding r) {
  switch (r) {
    case Rounding::nearest_even: return l.integer || l.mbits == 0;
    case Rounding::toward_zero:
    case Rounding::upward:
    case Rounding::downward: return false;
    default: return true;
  }
}

mpfr_rnd_t mpfr_mode(Rounding r) {
  switch (r) {
    case Rounding::toward_zero: return MPFR_RNDZ;
    case Rounding::upward: return MPFR_RNDU;
    case Rounding::downward: return MPFR_RNDD;
    default: return MPFR_RNDN;
  }
}

// Whether the magnitude a (rather than z) is the rounded result, given the
// magnitudes z < |x| < a. w.d receives the quantum a - z.
bool round_up(Workspace& w, const RoundingSpec& spec, uint32_t rbits) {
  mpfr_sub(w.d, w.a, w.z, MPFR_RNDN);  // the quantum 2^Q, exact
  // n = z / 2^Q is even iff z / 2^(Q+1) is an integer.
  mpfr_div(w.t, w.z, w.d, MPFR_RNDN);
  mpfr_div_2ui(w.t, w.t, 1, MPFR_RNDN);
  const bool n_odd = !mpfr_integer_p(w.t);
  switch (spec.rounding) {
    case Rounding::odd: return !n_odd;
    case Rounding::stochastic: {
      // up iff floor(f 2^k) + r >= 2^k, with f = (|x| - z) / 2^Q.
      const int k = spec.sr_bits > 64 ? 64 : spec.sr_bits;
      const unsigned long r = k >= 32 ? rbits : rbits & ((uint32_t{1} << k) - 1);
      mpfr_abs(w.t, w.x, MPFR_RNDN);
      mpfr_sub(w.t, w.t, w.z, MPFR_RNDN);
      mpfr_div(w.t, w.t, w.d, MPFR_RNDN);
      mpfr_mul_2ui(w.t, w.t, k, MPFR_RNDN);
      mpfr_floor(w.t, w.t);
      mpfr_add_ui(w.t, w.t, r, MPFR_RNDN);
      return mpfr_cmp_ui_2exp(w.t, 1, k) >= 0;
    }
    default: break;
  }
  // The nearest modes: |x| against the exact midpoint (z + a) / 2.
  mpfr_add(w.t, w.z, w.a, MPFR_RNDN);
  mpfr_div_2ui(w.t, w.t, 1, MPFR_RNDN);
  const int vs_mid = mpfr_cmpabs(w.x, w.t);
  if (spec.rounding == Rounding::nearest_away) return vs_mid >= 0;
  return vs_mid > 0 || (vs_mid == 0 && n_odd);  // nearest_even
}

}  // namespace

ReferenceResult mpfr_convert(const FormatDesc& from, const FormatDesc& to, uint64_t code,
                             const RoundingSpec& spec, uint32_t rbits) {
  Workspace& w = workspace();
  const Layout dst = layout_of(to);
  const Source s = decode(layout_of(from), code, w.x);
  const bool neg = s.negative;

  switch (s.kind) {
    case Kind::nan:  // step 1
      return nan_result(dst, neg, s.signaling ? kInvalid : 0);
    case Kind::infinite:  // step 2
      if (neg && !dst.is_signed) return negative_into_unsigned(dst, spec);
      if (has_inf(dst)) return {inf_code(dst, neg), 0};
      return overflow_result(dst, neg, spec, true);
    case Kind::zero:  // step 3
      if (dst.e8m0) return {0, kInexact | kUnderflow};
      return {neg && has_negative_zero(dst) ? dst.sign : 0, 0};
    case Kind::finite: break;
  }

  largest_finite(dst, w.max);
  mpfr_set(w.limit, w.max, MPFR_RNDN);
  if (dst.integer && neg && dst.is_signed) mpfr_add_ui(w.limit, w.limit, 1, MPFR_RNDN);
  mpfr_ptr y = w.y;
  bool inexact = false;

  // Step 4: round with gradual underflow.
  if (!needs_neighbours(dst, spec.rounding)) {
    inexact = round_into(dst, w.y, w.x, w.max, mpfr_mode(spec.rounding)) != 0;
  } else {
    inexact = round_into(dst, w.z, w.x, w.max, MPFR_RNDZ) != 0;
    y = w.z;
    // Past the limit already: the result overflows whichever way it rounds.
    if (inexact && mpfr_cmpabs(w.z, w.limit) <= 0) {
      round_into(dst, w.a, w.x, w.max, MPFR_RNDA);
      mpfr_abs(w.z, w.z, MPFR_RNDN);  // both neighbours as magnitudes
      mpfr_abs(w.a, w.a, MPFR_RNDN);
      y = round_up(w, spec, rbits) ? w.a : w.z;
      if (neg) mpfr_neg(y, y, MPFR_RNDN);
    }
  }

  // Step 6's flags, tininess before rounding: 0 < |x| < 2^min_exp.
  const bool tiny = !dst.integer && mpfr_get_exp(w.x) - 1 < dst.min_exp;
  uint8_t flags = inexact ? kInexact : 0;
  if (inexact && tiny) flags |= kUnderflow;
  if (mpfr_zero_p(y)) {  // zero magnitude: step 3's zero; e8m0 its smallest value
    if (dst.e8m0) return {0, static_cast<uint8_t>(flags | kUnderflow)};
    return {neg && has_negative_zero(dst) ? dst.sign : 0, flags};
  }
  if (neg && !dst.is_signed) return negative_into_unsigned(dst, spec);
  if (mpfr_inf_p(y) || mpfr_cmpabs(y, w.limit) > 0) {  // step 5
    ReferenceResult r = overflow_result(dst, neg, spec, false);
    r.flags |= flags | kOverflow | kInexact;  // underflow too where x is tiny (only e1m0fn)
    return r;
  }
  return {encode(dst, y, neg), flags};
}

}  // namespace plumb::reference
