// Block quantisation suites: every CPU block kernel of the registry gives the
// MPFR block oracle's scales, tensor scale, element codes and dequantised
// values, bit for bit, on every cell of `block_formats` (8 formats x rules x
// layouts x Hadamard x RNE/SR). The planted kernel (scale rule ceil where
// floor is asked) must be caught, with a counterexample whose scale is one
// binade above the oracle's.
#include <catch2/catch.hpp>

#include "plumb/checks/block_suite.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {

std::string explain(const Verdict& v) {
  std::string s = describe(v) + ": " + disposition_name(v.disposition) + " " + std::to_string(v.mismatches) + "/" +
                  std::to_string(v.cases) + " " + v.message;
  for (const auto& c : v.counterexamples) s += "\n  " + c.detail;
  return s;
}

}  // namespace

TEST_CASE("every CPU block kernel matches the MPFR block oracle on block_formats", "[block]") {
  BlockSuiteOptions o;
  o.seed = Catch::rngSeed();
  o.kernels = registry_block_kernels("cpu");
  REQUIRE(o.kernels.size() >= 2);  // cpu_block and the planted kernel at least
  size_t failures = 0, planted_cells = 0, planted_caught = 0, passed = 0;
  o.on_verdict = [&](const Verdict& v) {
    if (v.expected_failure) {
      ++planted_cells;
      planted_caught += v.acceptable() && v.disposition == Disposition::incorrect;
      return;
    }
    if (v.disposition == Disposition::passed) ++passed;
    if (v.acceptable()) return;
    if (++failures <= 10) FAIL_CHECK(explain(v));
  };
  const size_t cells = run_block_suite(o);
  INFO("block_formats: " << cells << " cells, seed " << Catch::rngSeed());
  CHECK(cells == 6 * 4 * 3 * 2 * 2 + 2 * 2 * 3 * 2 * 2);  // MX formats x 4 rules, NV formats x 2 rules
  CHECK(failures == 0);
  CHECK(passed > 0);
  CHECK(planted_cells == cells);
  CHECK(planted_caught > 0);
}

TEST_CASE("the planted scale-ceil block kernel is caught on an mxfp4 floor cell", "[block][planted]") {
  const auto* planted = kernels::find_block_kernel("planted_scale_ceil");
  REQUIRE(planted != nullptr);
  REQUIRE(planted->planted_bug);
  BlockCell cell{"mxfp4", block_formats::mxfp4, {}};
  // One block of 32: amax 5 (not a power of two) gives floor e = 2 - 2 = 0,
  // scale 0x7f; ceil would give e = 3 - 2 = 1, scale 0x80.
  std::vector<float> x(32, 0.5f);
  x[7] = -5.0f;
  const std::vector<BlockCase> cases = {{"amax_5", 1, 32, x}};
  const auto expected = block_reference_results(cell, cases, 1);
  REQUIRE_FALSE(expected[0].refused);
  CHECK(expected[0].q.scales == std::vector<uint8_t>{0x7f});
  const Verdict v = check_block(*planted, cell, cases, expected, {});
  CHECK(v.expected_failure);
  CHECK(v.disposition == Disposition::incorrect);
  REQUIRE(v.counterexamples.size() == 1);
  const auto& c = v.counterexamples[0];
  CHECK(c.expected == 0x7f);
  CHECK(c.got == 0x80);
  CHECK(c.detail.find("block 0") != std::string::npos);
  CHECK(v.acceptable());  // caught
  // The honest kernel passes the same case.
  const auto* honest = kernels::find_block_kernel("cpu_block");
  REQUIRE(honest != nullptr);
  CHECK(check_block(*honest, cell, cases, expected, {}).disposition == Disposition::passed);
}

TEST_CASE("a block kernel must refuse what the specification refuses", "[block]") {
  const auto* k = kernels::find_block_kernel("cpu_block");
  REQUIRE(k != nullptr);
  BlockCell cell{"nvfp4", block_formats::nvfp4, {}};
  cell.options.hadamard = true;  // 3 x 17: 17 columns are not a multiple of 16
  const std::vector<BlockCase> cases = {{"odd_shape", 3, 17, std::vector<float>(51, 1.0f)}};
  const auto expected = block_reference_results(cell, cases, 1);
  REQUIRE(expected[0].refused);
  CHECK(expected[0].refusal.find("17") != std::string::npos);
  const Verdict v = check_block(*k, cell, cases, expected, {});
  INFO(explain(v));
  CHECK(v.disposition == Disposition::passed);
  CHECK(v.cases == 1);
}

TEST_CASE("CUDA block kernels are skipped, never passed, without a GPU", "[block]") {
  if (kernels::cuda_device_count() > 0) return;  // the GPU suite checks them
  for (const auto* k : registry_block_kernels("cuda")) {
    BlockCell cell{"mxfp4", block_formats::mxfp4, {}};
    const std::vector<BlockCase> cases = {{"one", 1, 1, {1.0f}}};
    const Verdict v = check_block(*k, cell, cases, block_reference_results(cell, cases, 1), {});
    CHECK(v.disposition == Disposition::skipped);
    CHECK(v.cases == 0);
  }
}
