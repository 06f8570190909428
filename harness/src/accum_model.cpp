// plumb harness: the reduced-precision accumulator model (accum_model.hpp).
// Rounding to p bits works on the double's bit pattern: the low 53 - p
// significand bits are dropped (toward zero) or rounded off (nearest even,
// the carry running into the exponent field as it should). An addition is
// rounded once: TwoSum gives the exact sum as s + e (s = the double nearest
// to it), and e decides the two cases where rounding s alone would differ
// from rounding the exact sum (s on a p-bit tie, or s a p-bit number that
// the exact sum lies just inside of, for truncation).
#include "accum_model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace plumb::harness {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

void check_precision(int p) {
  if (p < 2 || p > 53) throw std::invalid_argument("accumulator precision " + std::to_string(p) + " outside 2..53");
}

}  // namespace

const char* accum_rounding_name(AccumRounding r) {
  return r == AccumRounding::nearest_even ? "nearest_even"
         : r == AccumRounding::toward_zero ? "toward_zero"
                                           : "aligned_toward_zero";
}

std::string accum_model_name(const AccumModel& m) {
  std::string s = "p" + std::to_string(m.precision_bits) + "_" + accum_rounding_name(m.rounding);
  if (m.group != 1) s += "_g" + std::to_string(m.group);
  if (m.promote_every) s += "_promote" + std::to_string(m.promote_every);
  return s;
}

// a + b with both terms first cut to the p-bit grid of the larger one.
static double add_aligned(double a, double b, int p) {
  if (a == 0 || b == 0) return round_to_bits(a + b, p, AccumRounding::toward_zero);
  int ea = 0, eb = 0;
  std::frexp(a, &ea);
  std::frexp(b, &eb);
  const double grid = std::ldexp(1.0, std::max(ea, eb) - p);  // ulp of p bits in the larger binade
  const double ta = std::trunc(a / grid) * grid, tb = std::trunc(b / grid) * grid;  // exact: powers of two
  return round_to_bits(ta + tb, p, AccumRounding::toward_zero);  // ta + tb: <= p + 1 bits, exact
}

double round_to_bits(double x, int p, AccumRounding r) {
  const int shift = 53 - p;
  if (shift <= 0 || x == 0) return x;
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  const uint64_t sign = bits & kSignBit, low = (uint64_t{1} << shift) - 1;
  uint64_t mag = bits & ~kSignBit;
  if (r == AccumRounding::nearest_even) mag += (low >> 1) + ((mag >> shift) & 1);  // else: toward zero
  return std::bit_cast<double>(sign | (mag & ~low));
}

double add_rounded(double a, double b, int p, AccumRounding r) {
  if (r == AccumRounding::aligned_toward_zero) return add_aligned(a, b, p);
  // TwoSum (Knuth): s + e == a + b exactly.
  const double s = a + b;
  const double bv = s - a, av = s - bv;
  const double e = (a - av) + (b - bv);
  const int shift = 53 - p;
  if (e == 0 || s == 0 || shift <= 0) return round_to_bits(s, p, r);
  const uint64_t bits = std::bit_cast<uint64_t>(s);
  const uint64_t sign = bits & kSignBit, low = (uint64_t{1} << shift) - 1, unit = uint64_t{1} << shift;
  const uint64_t mag = bits & ~kSignBit;
  const bool e_same_sign = (e < 0) == (s < 0);  // |exact| > |s|
  if (r == AccumRounding::nearest_even) {
    if ((mag & low) != (unit >> 1)) return round_to_bits(s, p, r);  // not a tie: s rounds as the exact sum
    return std::bit_cast<double>(sign | ((mag & ~low) + (e_same_sign ? unit : 0)));
  }
  if ((mag & low) != 0 || e_same_sign) return round_to_bits(s, p, r);
  return std::bit_cast<double>(sign | (mag - unit));  // |exact| just below the p-bit number |s|
}

void model_dot_prefixes(const float* a, const float* b, const std::vector<size_t>& checkpoints,
                        const AccumModel& m, double* out) {
  check_precision(m.precision_bits);
  if (m.group == 0 || (m.promote_every && m.promote_every % m.group))
    throw std::invalid_argument("accumulator model: group " + std::to_string(m.group) + " with promote_every " +
                                std::to_string(m.promote_every));
  for (size_t c = 1; c < checkpoints.size(); ++c)
    if (checkpoints[c] < checkpoints[c - 1]) throw std::invalid_argument("model_dot_prefixes: checkpoints not ascending");
  const int p = m.precision_bits;
  double partial = 0, promoted = 0, group_sum = 0;
  size_t since_promotion = 0, in_group = 0, i = 0;
  auto close_group = [&] {
    partial = add_rounded(partial, group_sum, p, m.rounding);
    since_promotion += in_group;
    group_sum = 0, in_group = 0;
    if (m.promote_every && since_promotion >= m.promote_every) {
      promoted = add_rounded(promoted, partial, 24, AccumRounding::nearest_even);
      partial = 0, since_promotion = 0;
    }
  };
  for (size_t c = 0; c < checkpoints.size(); ++c) {
    for (; i < checkpoints[c]; ++i) {
      group_sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
      if (++in_group == m.group) close_group();
    }
    if (in_group) close_group();
    out[c] = m.promote_every ? add_rounded(promoted, partial, 24, AccumRounding::nearest_even) : partial;
  }
}

double model_dot(const float* a, const float* b, size_t k, const AccumModel& m) {
  double out = 0;
  model_dot_prefixes(a, b, {k}, m, &out);
  return out;
}

}  // namespace plumb::harness
