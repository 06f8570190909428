// plumb checks: case generators shared by every conversion suite.
//
//  - exhaustive: every code of a source format of at most 16 bits;
//  - edge cases aimed at a target format, in the spirit of Berkeley TestFloat:
//    every target value and its source neighbours, exact ties and one source
//    ulp either side, the overflow threshold and its neighbours, subnormal
//    boundaries and half the smallest subnormal, +-0, +-inf, NaNs, then
//    TestFloat-like exponent x significand-pattern products (walking ones and
//    zeros, runs) and weighted random exponents (level 1 or 2, seeded);
//  - random: seeded uniform bit patterns and values across and beyond the
//    target's range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"

namespace plumb::checks {

struct CaseSet {
  std::string name;  // the suite name: exhaustive_fp16, edge_cases_fp32, ...
  FormatDesc from;
  std::vector<uint64_t> codes;
};

// Counter-based generator (splitmix64): the i-th word of a seeded stream.
// Stochastic-rounding bits of case i are random_word(seed, i), so any case can
// be reproduced from the seed and its index alone.
uint64_t random_word(uint64_t seed, uint64_t index);

CaseSet exhaustive_cases(const FormatDesc& from);
// from must be fp32 or fp64; level 1 or 2 (2 adds pattern pairs, more randoms).
CaseSet edge_cases(const FormatDesc& from, const FormatDesc& to, int level, uint64_t seed);
CaseSet random_cases(const FormatDesc& from, const FormatDesc& to, size_t count, uint64_t seed);

}  // namespace plumb::checks
