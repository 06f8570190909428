// Properties of every conversion kernel: decode-encode round trips, and
// stochastic rounding unbiased within its stated bound.
#include <catch2/catch.hpp>

#include "plumb/checks/property_checks.hpp"
#include "plumb/checks/run_suite.hpp"
#include "plumb/formats/format_names.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {
void require_acceptable(const Verdict& v) {
  INFO(describe(v) << ": " << disposition_name(v.disposition) << " " << v.mismatches << "/" << v.cases
                   << " " << v.message);
  for (const auto& c : v.counterexamples) INFO("input " << hex_code(c.input) << " got " << hex_code(c.got)
                                                        << " expected " << hex_code(c.expected));
  CHECK(v.acceptable());
}
}  // namespace

TEST_CASE("every code of every format up to 16 bits survives a round trip through fp64", "[convert][roundtrip][quick]") {
  for (const auto* k : registry_kernels("all")) {
    if (k->planted_bug) continue;
    for (const auto& f : all_named_formats())
      if (f.bits() <= 16) require_acceptable(check_round_trip(*k, f));
    for (const auto& f : exmy_sweep_formats())
      if (f.bits() <= 16) require_acceptable(check_round_trip(*k, f));
  }
}

TEST_CASE("stochastic rounding is unbiased within its bound", "[convert][stochastic]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (const auto* k : registry_kernels("all")) {
    if (k->planted_bug) continue;
    for (const auto& f : {formats::e4m3fn, formats::e5m2, formats::e2m1fn, formats::bf16, formats::int8})
      for (int bits : {1, 3, 8, 16})
        require_acceptable(check_stochastic_statistics(*k, f, bits, 20000, seed));
  }
}
