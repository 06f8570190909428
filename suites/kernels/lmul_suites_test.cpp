// Every L-Mul kernel in the registry against the exact reference: elementwise
// bit for bit (every pair of codes for 8-bit formats, edge and seeded random
// pairs for wider ones, every carry / subnormal / overflow parameter), dot and
// GEMM within the fp32 accumulation bound. The planted kernel must be caught.
#include <catch2/catch.hpp>

#include "plumb/checks/lmul_suite.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {
constexpr uint64_t kSeed = 5;
std::vector<const kernels::LmulKernel*> cpu_kernels() { return registry_lmul_kernels("cpu"); }
}  // namespace

TEST_CASE("the lmul suite: every CPU kernel on every cell", "[lmul][kernels]") {
  INFO("seed " << kSeed);
  LmulSuiteOptions o;
  o.seed = kSeed;
  o.kernels = cpu_kernels();
  size_t verdicts = 0, planted_caught = 0;
  o.on_verdict = [&](const Verdict& v) {
    ++verdicts;
    INFO(describe(v) << " " << v.label << ": " << v.cases << " cases, " << v.mismatches << " mismatches "
                     << v.message << (v.counterexamples.empty() ? "" : " first: " + v.counterexamples.front().detail));
    CHECK(v.cases > 0);
    if (v.expected_failure) planted_caught += v.disposition == Disposition::incorrect;
    else REQUIRE(v.disposition == Disposition::passed);
  };
  const size_t cells = run_lmul_suite(o);
  CHECK(verdicts == cells * o.kernels.size());
  CHECK(planted_caught > 0);
}

TEST_CASE("the planted no-offset kernel is caught with a counterexample", "[lmul][planted][quick]") {
  const auto* planted = kernels::find_lmul_kernel("planted_no_offset");
  REQUIRE(planted);
  REQUIRE(planted->planted_bug);
  const LmulSpec spec{};
  const Verdict v = check_lmul_elementwise(*planted, formats::e4m3fn, spec,
                                           lmul_pairs(formats::e4m3fn, kSeed, 0));
  REQUIRE(v.disposition == Disposition::incorrect);
  REQUIRE_FALSE(v.counterexamples.empty());
  CHECK(v.acceptable());
  // Zero, inf and NaN operands do not involve the offset: those cases agree.
  const Verdict zeros = check_lmul_elementwise(*planted, formats::e4m3fn, spec,
                                               LmulPairs{{0, 0x80, 0x7f}, {0x38, 0x38, 0x38}, "zero/NaN"});
  CHECK(zeros.mismatches == 0);
  CHECK(check_lmul_dot(*planted, formats::bf16, spec, 1000, 4, kSeed).disposition == Disposition::incorrect);
}

TEST_CASE("L-Mul kernels refuse formats outside the definition", "[lmul][kernels][quick]") {
  for (const auto* k : cpu_kernels()) {
    const Verdict v = check_lmul_elementwise(*k, formats::fp64, LmulSpec{}, LmulPairs{{0}, {0}, "one"});
    CHECK(v.disposition == Disposition::not_supported);
    CHECK_FALSE(v.message.empty());
  }
}
