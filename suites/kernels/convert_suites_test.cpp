// Conversion suites: every kernel of the registry, and the Boost oracle, give
// the MPFR oracle's code and flags on every case of every named suite
// (exhaustive fp16/bf16, TestFloat-style edge cases, random fp32/fp64, the
// eXmY sweep). The planted bug must be caught; no other mismatch is allowed.
#include <catch2/catch.hpp>

#include "plumb/checks/run_suite.hpp"
#include "plumb/formats/format_names.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {

void run_suite_and_check(const std::string& suite) {
  RunOptions o;
  o.plan.seed = Catch::rngSeed();
  o.settings.seed = Catch::rngSeed();
  o.kernels = registry_kernels("all");
  size_t failures = 0, planted_caught = 0, planted_cells = 0;
  o.on_verdict = [&](const Verdict& v) {
    if (v.expected_failure) {
      // A planted bug must be caught wherever it can show (nearest_even cells).
      if (v.spec.rounding == Rounding::nearest_even) {
        ++planted_cells;
        planted_caught += v.disposition == Disposition::incorrect && !v.counterexamples.empty();
      }
      return;
    }
    if (v.acceptable()) return;
    ++failures;
    std::string detail = describe(v) + ": " + disposition_name(v.disposition) + " " +
                         std::to_string(v.mismatches) + "/" + std::to_string(v.cases) + " " + v.message;
    for (const auto& c : v.counterexamples)
      detail += "\n  got " + hex_code(c.got) + " " + flags_to_string(c.got_flags) + " expected " +
                hex_code(c.expected) + " " + flags_to_string(c.expected_flags) + "\n  " + repro_command(v, c);
    if (failures <= 20) FAIL_CHECK(detail);
  };
  const size_t cells = run_conversion_suite(suite, o);
  INFO("suite " << suite << ": " << cells << " cells, seed " << Catch::rngSeed());
  CHECK(cells > 0);
  CHECK(failures == 0);
  // The suites built to contain exact ties (exhaustive sources, edge cases,
  // the eXmY sweep) must catch the planted bug; random inputs and exact
  // decodes need not hit a tie.
  const bool has_ties = suite.rfind("exhaustive_", 0) == 0 || suite.rfind("edge_cases_", 0) == 0 ||
                        suite == "exmy_sweep";
  if (has_ties) {
    CHECK(planted_cells > 0);
    CHECK(planted_caught > 0);
  }
}

}  // namespace

TEST_CASE("decode of every narrow code into fp64 and fp32 matches MPFR", "[convert][decode]") {
  run_suite_and_check("decode");
}
TEST_CASE("exhaustive fp16 conversions match MPFR in every mode and policy", "[convert][exhaustive]") {
  run_suite_and_check("exhaustive_fp16");
}
TEST_CASE("exhaustive bf16 conversions match MPFR in every mode and policy", "[convert][exhaustive]") {
  run_suite_and_check("exhaustive_bf16");
}
TEST_CASE("fp32 edge cases match MPFR in every format mode and policy", "[convert][edge]") {
  run_suite_and_check("edge_cases_fp32");
}
TEST_CASE("fp64 edge cases round once and match MPFR", "[convert][edge]") {
  run_suite_and_check("edge_cases_fp64");
}
TEST_CASE("random fp32 inputs match MPFR", "[convert][random]") { run_suite_and_check("random_fp32"); }
TEST_CASE("random fp64 inputs match MPFR", "[convert][random]") { run_suite_and_check("random_fp64"); }
TEST_CASE("run-time eXmY formats match MPFR", "[convert][exmy]") { run_suite_and_check("exmy_sweep"); }
