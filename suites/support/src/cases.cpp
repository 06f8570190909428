// plumb checks: case generators (see cases.hpp).
#include "plumb/checks/cases.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::checks {

uint64_t random_word(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

CaseSet exhaustive_cases(const FormatDesc& from) {
  CaseSet set{"exhaustive_" + format_name(from), from, {}};
  const uint64_t count = uint64_t{1} << from.bits();
  set.codes.resize(count);
  for (uint64_t c = 0; c < count; ++c) set.codes[c] = c;
  return set;
}

namespace {

// Source-format helpers for fp32 and fp64 sources.
struct Source {
  bool is_fp64;
  uint64_t code_of(double v) const {
    if (is_fp64) return std::bit_cast<uint64_t>(v);
    return std::bit_cast<uint32_t>(static_cast<float>(v));
  }
  bool exact(double v) const { return is_fp64 || static_cast<double>(static_cast<float>(v)) == v || std::isnan(v); }
  uint64_t step(uint64_t code, int direction) const {  // one source ulp up (+1) or down (-1)
    if (is_fp64) {
      const double v = std::bit_cast<double>(code);
      return std::bit_cast<uint64_t>(std::nextafter(v, direction > 0 ? INFINITY : -INFINITY));
    }
    const float v = std::bit_cast<float>(static_cast<uint32_t>(code));
    return std::bit_cast<uint32_t>(std::nextafterf(v, direction > 0 ? INFINITY : -INFINITY));
  }
  int mantissa_bits() const { return is_fp64 ? 52 : 23; }
  int exponent_bits() const { return is_fp64 ? 11 : 8; }
};

void add_value_and_neighbours(const Source& s, std::vector<uint64_t>& out, double v) {
  if (!s.exact(v)) {
    // Not representable: the two source values around it.
    const float f = static_cast<float>(v);
    out.push_back(s.code_of(f));
    out.push_back(s.step(s.code_of(f), static_cast<double>(f) < v ? 1 : -1));
    return;
  }
  const uint64_t c = s.code_of(v);
  out.push_back(c);
  out.push_back(s.step(c, 1));
  out.push_back(s.step(c, -1));
}

// Every finite value of the target, its midpoints with the next value, and
// beyond the top: the overflow threshold region. Targets wider than 10 bits
// are sampled: every binade's ends and a spread of codes within.
void add_target_structure(const Source& s, const FormatDesc& to, std::vector<uint64_t>& out,
                          uint64_t seed) {
  std::vector<uint64_t> target_codes;
  const int64_t top = static_cast<int64_t>(to.max_finite_code());
  if (to.bits() <= 10) {
    for (int64_t c = 0; c <= top; ++c) target_codes.push_back(static_cast<uint64_t>(c));
  } else {
    for (int64_t c = 0; c <= top; c += std::max<int64_t>(1, top / 4096)) target_codes.push_back(c);
    for (uint64_t field = 0; field <= (to.max_finite_code() >> to.mbits); ++field) {
      const uint64_t base = field << to.mbits;
      for (uint64_t m : {uint64_t{0}, uint64_t{1}, (uint64_t{1} << to.mbits) - 1})
        if (base + m <= to.max_finite_code()) target_codes.push_back(base + m);
    }
    for (int i = 0; i < 2048; ++i) target_codes.push_back(random_word(seed, i) % (to.max_finite_code() + 1));
  }
  for (uint64_t c : target_codes) {
    for (bool neg : {false, true}) {
      if (neg && !to.is_signed && !to.is_integer()) continue;
      uint64_t code = c;
      const double v = decode(to, code);
      uint64_t next = code;
      const bool has_next = next_up(to, next);
      const double sv = neg ? -v : v;
      add_value_and_neighbours(s, out, sv);
      if (has_next) {
        const double nv = decode(to, next);
        const double gap = std::isinf(nv) ? v - decode(to, code - 1) : nv - v;
        const double mid = v + gap / 2;  // a tie (exact in double for these widths)
        add_value_and_neighbours(s, out, neg ? -mid : mid);
        add_value_and_neighbours(s, out, neg ? -(v + gap / 4) : v + gap / 4);
        add_value_and_neighbours(s, out, neg ? -(v + 3 * gap / 4) : v + 3 * gap / 4);
      }
    }
  }
  // The overflow region: one and two quanta above the largest finite value,
  // the binade above it, and far beyond.
  const double max = decode(to, to.max_finite_code());
  const double below = to.max_finite_code() > 0 ? decode(to, to.max_finite_code() - 1) : 0.0;
  const double quantum = to.is_integer() ? 1.0 : max - below;
  for (double k : {0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0})
    for (double sign : {1.0, -1.0}) add_value_and_neighbours(s, out, sign * (max + k * quantum));
  for (double f : {2.0, 4.0, 1e3, 1e30, 1e300})
    for (double sign : {1.0, -1.0}) add_value_and_neighbours(s, out, sign * max * f);
  // Below the smallest subnormal: half of it, a quarter, and far below.
  const double tiny = to.is_integer() ? 1.0 : decode(to, 1);
  for (double f : {0.5, 0.25, 0.75, 1e-3, 1e-30, 1e-300})
    for (double sign : {1.0, -1.0}) add_value_and_neighbours(s, out, sign * tiny * f);
}

void add_specials(const Source& s, std::vector<uint64_t>& out) {
  const int mb = s.mantissa_bits(), eb = s.exponent_bits();
  const uint64_t sign = uint64_t{1} << (mb + eb);
  const uint64_t exp_all = ((uint64_t{1} << eb) - 1) << mb;
  const uint64_t quiet = uint64_t{1} << (mb - 1);
  for (uint64_t sg : {uint64_t{0}, sign}) {
    out.push_back(sg);                        // +-0
    out.push_back(sg | 1);                    // smallest subnormal
    out.push_back(sg | (quiet * 2 - 1));      // largest subnormal
    out.push_back(sg | (uint64_t{1} << mb));  // smallest normal
    out.push_back(sg | exp_all);              // infinity
    out.push_back(sg | exp_all | quiet);      // quiet NaN
    out.push_back(sg | exp_all | 1);          // signaling NaN
    out.push_back(sg | exp_all | (quiet * 2 - 1));  // NaN, full payload
    out.push_back(sg | (exp_all - (uint64_t{1} << mb)) | (quiet * 2 - 1));  // max finite
  }
}

// TestFloat-like: exponents near the target's interesting range and the
// source's extremes, times significand patterns.
void add_patterns(const Source& s, const FormatDesc& to, int level, uint64_t seed,
                  std::vector<uint64_t>& out) {
  const int mb = s.mantissa_bits(), eb = s.exponent_bits();
  const int bias = (1 << (eb - 1)) - 1;
  std::vector<uint64_t> patterns = {0, 1, (uint64_t{1} << mb) - 1, uint64_t{1} << (mb - 1)};
  for (int i = 0; i < mb; ++i) {
    patterns.push_back(uint64_t{1} << i);                               // walking one
    patterns.push_back(((uint64_t{1} << mb) - 1) ^ (uint64_t{1} << i));  // walking zero
    patterns.push_back((uint64_t{1} << (i + 1)) - 1);                   // run of ones at bottom
    patterns.push_back(((uint64_t{1} << mb) - 1) & ~((uint64_t{1} << i) - 1));  // run at top
  }
  if (level >= 2) {
    const size_t base = patterns.size();
    for (size_t i = 0; i < base; i += 3)
      for (size_t j = 1; j < base; j += 7) patterns.push_back(patterns[i] | patterns[j]);
  }
  // Target exponent span, in unbiased exponents.
  const int t_lo = to.is_integer() ? -2 : to.min_exponent() - to.mbits - 3;
  const int t_hi = to.is_integer() ? to.bits() + 2
                                   : std::ilogb(decode(to, to.max_finite_code())) + 3;
  std::vector<int> exps;
  for (int e = t_lo; e <= t_hi; ++e) exps.push_back(e);
  for (int e : {1 - bias, 2 - bias, -1, 0, 1, bias - 1, bias}) exps.push_back(e);
  std::vector<uint64_t> fields;
  for (int e : exps) {
    const int field = e + bias;
    if (field >= 1 && field < (1 << eb) - 1) fields.push_back(static_cast<uint64_t>(field));
  }
  fields.push_back(0);  // subnormal sources
  const uint64_t sign = uint64_t{1} << (mb + eb);
  for (uint64_t f : fields)
    for (uint64_t p : patterns)
      for (uint64_t sg : {uint64_t{0}, sign}) out.push_back(sg | (f << mb) | p);
  // Weighted random exponents: half in the target's span, half anywhere.
  const int randoms = level >= 2 ? 20000 : 4000;
  for (int i = 0; i < randoms; ++i) {
    const uint64_t w = random_word(seed, 1000000 + i);
    uint64_t field;
    if (i % 2 == 0 && !fields.empty()) field = fields[w % fields.size()];
    else field = (w >> 40) % ((uint64_t{1} << eb) - 1);
    out.push_back((w & sign) | (field << mb) | (random_word(seed, 2000000 + i) & ((uint64_t{1} << mb) - 1)));
  }
}

void sort_unique(std::vector<uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

CaseSet edge_cases(const FormatDesc& from, const FormatDesc& to, int level, uint64_t seed) {
  const Source s{from == formats::fp64};
  CaseSet set{"edge_cases_" + format_name(from), from, {}};
  add_target_structure(s, to, set.codes, seed);
  add_specials(s, set.codes);
  add_patterns(s, to, level, seed, set.codes);
  sort_unique(set.codes);
  return set;
}

CaseSet random_cases(const FormatDesc& from, const FormatDesc& to, size_t count, uint64_t seed) {
  const Source s{from == formats::fp64};
  CaseSet set{"random_" + format_name(from), from, {}};
  const double max = decode(to, to.max_finite_code());
  const double lo = to.is_integer() ? 0.25 : decode(to, 1) / 4;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t w = random_word(seed, i);
    if (i % 2 == 0) {  // uniform bit patterns
      set.codes.push_back(from == formats::fp64 ? w : (w & 0xffffffffu));
    } else {  // log-uniform magnitudes from a quarter of the smallest value to 4x the largest
      const double t = static_cast<double>(w >> 11) * 0x1p-53;
      double v = lo * std::pow(max * 4 / lo, t);
      if (w & 1) v = -v;
      set.codes.push_back(s.code_of(v));
    }
  }
  return set;
}

}  // namespace plumb::checks
