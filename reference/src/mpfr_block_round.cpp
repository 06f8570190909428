// plumb reference, block oracle: rounding an exact quotient into a format
// (see mpfr_block_round.hpp).
#include "mpfr_block_round.hpp"

#include <stdexcept>
#include <string>

namespace plumb::reference::block_oracle {

using namespace mpfr_oracle;

RoundTarget::RoundTarget(const FormatDesc& format, bool symmetric)
    : layout_(layout_of(format)), symmetric_(symmetric) {
  if (layout_.e8m0) throw std::invalid_argument("an e8m0 format cannot hold block elements");
  largest_finite(layout_, max_);
}

uint64_t RoundTarget::nan_code() const { return nan_result(layout_, false, 0).code; }

uint64_t RoundTarget::zero_code(bool negative) const {
  return negative && has_negative_zero(layout_) ? layout_.sign : 0;
}

uint64_t RoundTarget::round_quotient(mpfr_srcptr num, mpfr_srcptr den, Rounding mode, int k,
                                     uint32_t rbits) const {
  if (mpfr_nan_p(num)) throw std::logic_error("block oracle: NaN reached an element rounding");
  if (mode != Rounding::nearest_even && mode != Rounding::stochastic)
    throw std::invalid_argument(std::string("block quantisation rounds elements nearest_even or stochastic, not ") +
                                (mode == Rounding::nearest_away ? "nearest_away" : "a directed mode"));
  const bool negative = mpfr_signbit(num) != 0;
  const Layout& l = layout_;
  if (mpfr_zero_p(num)) return zero_code(negative);
  if (negative && !l.is_signed) return 0;  // saturate: the smallest value (SEMANTICS.md step 4)

  // The saturation limit on this side: the largest finite magnitude, one more
  // below zero for a two's-complement integer that is not clamped symmetrically.
  mpfr_set(u_, max_, MPFR_RNDN);
  if (l.integer && negative && !symmetric_) mpfr_add_ui(u_, u_, 1, MPFR_RNDN);
  mpfr_ptr magnitude = u_;  // the result magnitude; the limit until shown smaller

  if (mpfr_inf_p(num)) {  // SEMANTICS.md step 2 under saturate
    if (has_inf(l)) return inf_code(l, negative);
    return encode(l, magnitude, negative);
  }
  mpfr_abs(v_, num, MPFR_RNDN);  // |num|, exact (v_ is wider than any operand)

  // Far beyond the limit (|num| / den >= 2 (limit + 1)) the result saturates
  // whatever the rounding; below that every integer below fits in 64 bits.
  mpfr_add_ui(t_, u_, 1, MPFR_RNDN);
  mpfr_mul_2ui(t_, t_, 1, MPFR_RNDN);
  mpfr_mul(t_, t_, den, MPFR_RNDN);
  if (mpfr_cmp(v_, t_) >= 0) return encode(l, magnitude, negative);

  // Q: the exponent of the quantum. Floats: max(floor(log2 |q|), min_exp) - m,
  // with floor(log2 |q|) = L found by comparing |num| with den 2^L exactly.
  long q_exp = 0;
  if (!l.integer) {
    long lq = (mpfr_get_exp(v_) - 1) - (mpfr_get_exp(den) - 1);
    mpfr_mul_2si(t_, den, lq, MPFR_RNDN);
    if (mpfr_cmp(v_, t_) < 0) --lq;
    q_exp = (lq > l.min_exp ? lq : l.min_exp) - l.mbits;
  }
  // T = floor(|q| 2^(j - Q)), j = 1 (nearest: the half bit) or k (stochastic):
  // n = T >> j quanta, and the j bits below them.
  const int j = mode == Rounding::stochastic ? k : 1;
  mpfr_mul_2si(v_, v_, j - q_exp, MPFR_RNDN);   // exact
  mpfr_div(t_, v_, den, MPFR_RNDD);              // <= the quotient, >= its floor
  mpfr_floor(t_, t_);
  const uint64_t big_t = mpfr_get_uj(t_, MPFR_RNDN);
  mpfr_mul(t_, t_, den, MPFR_RNDN);              // exact: T den
  const bool remainder_zero = mpfr_equal_p(t_, v_) != 0;
  const uint64_t n = big_t >> j;
  const uint64_t below = big_t & ((uint64_t{1} << j) - 1);
  bool up = false;
  if (mode == Rounding::stochastic) {
    const uint64_t r = k >= 32 ? rbits : rbits & ((uint32_t{1} << k) - 1);
    up = below + r >= (uint64_t{1} << k);  // floor(f 2^k) + r >= 2^k
  } else {
    up = below == 1 && (!remainder_zero || (n & 1) != 0);  // f > 1/2, or a tie and n odd
  }
  const uint64_t quanta = n + (up ? 1 : 0);
  if (quanta == 0) return zero_code(negative);
  mpfr_set_uj_2exp(t_, quanta, q_exp, MPFR_RNDN);  // exact: quanta < 2^62
  if (mpfr_cmp(t_, u_) < 0) magnitude = t_;          // else saturate at the limit
  return encode(l, magnitude, negative);
}

uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint32_t block_rbits(uint64_t seed, uint64_t i) {
  return static_cast<uint32_t>(splitmix64_mix((seed ^ 0x5eed5eed5eedull) + (i + 1) * 0x9E3779B97F4A7C15ull) >> 32);
}

}  // namespace plumb::reference::block_oracle
