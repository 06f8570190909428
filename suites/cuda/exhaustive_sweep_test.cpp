// The exhaustive fp32 sweep on the GPU (kernels/cuda/convert/exhaustive_sweep.cu):
// all 2^32 fp32 codes through cuda_plumb's definition and the table oracle.
// A correct sweep has no mismatch; the planted ties-away bug must be caught,
// and what it records must be real ties that the host reproduces.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/cuda_sweep.hpp"
#include "plumb/kernels/sweep_rbits.hpp"
#include "plumb/reference/table_oracle.hpp"

namespace {

using plumb::FormatDesc;
using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;
namespace kc = plumb::kernels::cuda;

constexpr uint64_t kSeed = 0x5eedf00dull;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string describe(const kc::SweepResult& r) {
  std::string s = std::to_string(r.mismatches) + " mismatches (" +
                  std::to_string(r.flag_mismatches) + " flags only), max_ulp " +
                  std::to_string(r.max_ulp) + ", " + std::to_string(r.seconds) + " s, grid " +
                  std::to_string(r.grid) + " x " + std::to_string(r.block);
  if (!r.error.empty()) s += "\nerror: " + r.error;
  for (const auto& c : r.counterexamples)
    s += "\n  input " + hex(c.input) + " rbits " + hex(c.rbits) + ": got " + hex(c.got) + " (" +
         plumb::checks::flags_to_string(c.got_flags) + "), expected " + hex(c.expected) + " (" +
         plumb::checks::flags_to_string(c.expected_flags) + ")";
  return s;
}

kc::SweepResult sweep(const FormatDesc& to, const RoundingSpec& spec, bool planted = false) {
  const kc::SweepResult r = kc::exhaustive_fp32_sweep(to, spec, kSeed, planted);
  std::printf("exhaustive fp32 -> %s %s%s/%s%s: %.3f s, %llu mismatches\n",
              plumb::format_name(to).c_str(), plumb::checks::rounding_name(spec.rounding),
              spec.rounding == Rounding::stochastic ? ("(k=" + std::to_string(spec.sr_bits) + ")").c_str() : "",
              plumb::checks::overflow_name(spec.overflow), planted ? " [planted ties-away]" : "",
              r.seconds, static_cast<unsigned long long>(r.mismatches));
  std::fflush(stdout);
  return r;
}

}  // namespace

TEST_CASE("exhaustive fp32 sweep: e4m3fn nearest_even/saturate has no mismatch",
          "[cuda][sweep][e4m3fn]") {
  const kc::SweepResult r = sweep(plumb::formats::e4m3fn, {Rounding::nearest_even, Overflow::saturate, 0});
  INFO(describe(r));
  REQUIRE(r.ok);
  CHECK(r.cases == kc::kSweepCases);
  CHECK(r.mismatches == 0);
  CHECK(r.counterexamples.empty());
  CHECK(r.seconds > 0);
}

TEST_CASE("exhaustive fp32 sweep catches the planted ties-away bug with exact ties",
          "[cuda][sweep][planted]") {
  const FormatDesc to = plumb::formats::e4m3fn;
  const RoundingSpec rne{Rounding::nearest_even, Overflow::saturate, 0};
  const kc::SweepResult r = sweep(to, rne, /*planted=*/true);
  INFO(describe(r));
  REQUIRE(r.ok);
  CHECK(r.mismatches > 0);
  REQUIRE(!r.counterexamples.empty());
  CHECK(r.counterexamples.size() <= static_cast<size_t>(kc::kSweepCounterexamples));
  CHECK(r.counterexamples.size() == std::min<uint64_t>(r.mismatches, kc::kSweepCounterexamples));

  // The first counterexample (lowest input) lies exactly halfway between the
  // two results, and so does every one whose codes differ; one whose codes
  // agree is a flags-only difference (464 -> 480 overflows, saturated to 448).
  const RoundingSpec away{Rounding::nearest_away, Overflow::saturate, 0};
  plumb::reference::TableOracle table;
  REQUIRE(plumb::reference::make_table_oracle(to, table));
  for (size_t i = 0; i < r.counterexamples.size(); ++i) {
    const auto& c = r.counterexamples[i];
    CAPTURE(i, hex(c.input), hex(c.got), hex(c.expected));
    const double x = plumb::decode(plumb::formats::fp32, c.input);
    const double got = plumb::decode(to, c.got), expected = plumb::decode(to, c.expected);
    if (i == 0) REQUIRE(c.got != c.expected);
    if (c.got != c.expected) CHECK(x == (got + expected) / 2);  // exact in double
    else CHECK(c.got_flags != c.expected_flags);
    // The host reproduces both sides from the input alone: plumb's with the
    // planted mode, the table oracle's with the true one.
    const plumb::Converted host_got = plumb::convert_code(plumb::formats::fp32, to, c.input, away);
    const auto host_want = plumb::reference::table_oracle_convert_fp32(table, c.input, rne, 0);
    CHECK(host_got.code == c.got);
    CHECK(host_got.flags == c.got_flags);
    CHECK(host_want.code == c.expected);
    CHECK(host_want.flags == c.expected_flags);
  }
}

TEST_CASE("exhaustive fp32 sweep: e2m1fn stochastic k=8 has no mismatch",
          "[cuda][sweep][stochastic]") {
  const kc::SweepResult r = sweep(plumb::formats::e2m1fn, {Rounding::stochastic, Overflow::saturate, 8});
  INFO(describe(r));
  REQUIRE(r.ok);
  CHECK(r.cases == kc::kSweepCases);
  CHECK(r.mismatches == 0);
}

TEST_CASE("exhaustive fp32 sweep refuses targets wider than 8 bits and bad k",
          "[cuda][sweep][errors]") {
  const kc::SweepResult wide = kc::exhaustive_fp32_sweep(plumb::formats::fp16, {}, kSeed);
  CHECK_FALSE(wide.ok);
  CHECK(wide.error.find("at most 8 bits") != std::string::npos);
  CHECK(wide.cases == 0);
  const kc::SweepResult k0 =
      kc::exhaustive_fp32_sweep(plumb::formats::e4m3fn, {Rounding::stochastic, Overflow::saturate, 0}, kSeed);
  CHECK_FALSE(k0.ok);
  CHECK(k0.error.find("1 <= k <= 32") != std::string::npos);
}

TEST_CASE("sweep_rbits is the CPU suites' case_rbits at index = input code", "[cuda][sweep][rbits]") {
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, kSeed, ~uint64_t{0}})
    for (uint32_t code : {0u, 1u, 0x3f800000u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
      CAPTURE(seed, code);
      CHECK(plumb::kernels::sweep_rbits(seed, code) == plumb::checks::case_rbits(seed, code));
    }
  static_assert(plumb::kernels::sweep_rbits(1, 2) != plumb::kernels::sweep_rbits(1, 3));
}
