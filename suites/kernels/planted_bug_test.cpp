// The planted bug (ties rounded away where nearest_even is asked for) is
// caught, and its counterexample is an exact tie that the oracle rounds to even.
#include <catch2/catch.hpp>
#include <cmath>

#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/value.hpp"

using namespace plumb;
using namespace plumb::checks;

TEST_CASE("the planted ties-away kernel is caught with a tie counterexample", "[convert][planted][quick]") {
  const auto* planted = kernels::find_convert_kernel("planted_ties_away");
  REQUIRE(planted);
  REQUIRE(planted->planted_bug);
  const CaseSet cases = exhaustive_cases(formats::fp16);
  const RoundingSpec spec{Rounding::nearest_even, Overflow::saturate, 0};
  CheckSettings settings;
  const Expected expected = oracle_results(Oracle::mpfr, cases, formats::e4m3fn, spec, settings);
  const Verdict v = check_convert(*planted, cases, formats::e4m3fn, spec, expected, settings);
  REQUIRE(v.disposition == Disposition::incorrect);
  REQUIRE_FALSE(v.counterexamples.empty());
  CHECK(v.acceptable());
  for (const auto& c : v.counterexamples) {
    // The input lies exactly halfway between the two results.
    const double x = decode(formats::fp16, c.input);
    const double got = decode(formats::e4m3fn, c.got), want = decode(formats::e4m3fn, c.expected);
    INFO("input " << x << " got " << got << " expected " << want);
    CHECK(std::fabs(x - got) == std::fabs(x - want));
    CHECK(std::fabs(got) > std::fabs(want));
    CHECK((c.expected & 1) == 0);  // even code
  }
  // The same kernel is right where no tie is involved.
  const RoundingSpec rtz{Rounding::toward_zero, Overflow::saturate, 0};
  const Expected e2 = oracle_results(Oracle::mpfr, cases, formats::e4m3fn, rtz, settings);
  CHECK(check_convert(*planted, cases, formats::e4m3fn, rtz, e2, settings).mismatches == 0);
}
