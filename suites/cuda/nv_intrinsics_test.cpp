// cuda_nv_intrinsics: NVIDIA's conversion intrinsics in device code, against
// the MPFR oracle, judged by docs/VENDOR_DIFFERENCES.md's classes (codes
// only; the intrinsics report no flags). Every conversion NVIDIA offers must
// differ from the oracle only in documented classes, on every fp16 and bf16
// code and on fp32 / fp64 TestFloat-style edge cases and random values; and
// the documented behaviours must show where the documentation says they do
// (every NaN into fp6 / fp4 -> +MAXNORM, +-inf into e5m2 under __NV_SATFINITE
// -> +-57344, negative NaNs into e4m3fn lose their sign).
//
// Random inputs come from Catch's --rng-seed; a failure prints the cell, the
// classes and the first undocumented differences as `plumb convert` commands.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/vendor_differences.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

namespace {

using namespace plumb;
using namespace plumb::checks;
namespace F = plumb::formats;

const kernels::ConvertKernel& intrinsics() {
  const auto* k = kernels::find_convert_kernel("cuda_nv_intrinsics");
  REQUIRE(k != nullptr);
  return *k;
}

// Whether the kernel performs this conversion (one element; no oracle needed).
bool offered(const FormatDesc& from, const FormatDesc& to, const RoundingSpec& spec) {
  const uint64_t zero = 0;
  uint64_t out = 0;
  uint32_t rbits = 0;
  std::string message;
  return intrinsics().fn({from, to, spec}, &zero, &out, nullptr, 1, &rbits, &message) !=
         kernels::KernelStatus::not_supported;
}

std::string report(const Verdict& v) {
  std::string s = describe(v) + ": " + disposition_name(v.disposition) + ", " + std::to_string(v.mismatches) +
                  " of " + std::to_string(v.cases) + " differ; " + v.message;
  for (const auto& c : v.counterexamples)
    s += "\n  " + repro_command(v, c) + "   (oracle: " + hex_code(c.expected) + ")";
  return s;
}

// Runs one cell; prints its line; returns the verdict.
Verdict run_cell(const CaseSet& cases, const FormatDesc& to, const RoundingSpec& spec) {
  CheckSettings settings;
  settings.seed = Catch::rngSeed();
  const Expected expected = oracle_results(Oracle::mpfr, cases, to, spec, settings);
  const Verdict v = check_convert(intrinsics(), cases, to, spec, expected, settings);
  std::printf("  %-60s %-10s %8llu cases %7llu differences  %s\n", describe(v).c_str(),
              disposition_name(v.disposition), static_cast<unsigned long long>(v.cases),
              static_cast<unsigned long long>(v.mismatches), v.message.c_str());
  return v;
}

uint64_t count_class(const Verdict& v, const std::string& name) {
  for (const auto& d : v.differences)
    if (d.name == name) return d.count;
  return 0;
}

uint64_t nan_codes(const FormatDesc& f, bool negative_only) {
  uint64_t n = 0;
  for (uint64_t c = 0; c <= f.code_mask(); ++c)
    n += classify(f, c) == ValueClass::nan && (!negative_only || (c & f.sign_bit()));
  return n;
}

// The source sets: every code of fp16 / bf16; fp32 / fp64 edge cases aimed at
// the target plus seeded random values.
CaseSet sources_for(const FormatDesc& from, const FormatDesc& to) {
  if (from.bits() <= 16) return exhaustive_cases(from);
  const uint64_t seed = Catch::rngSeed();
  CaseSet set = edge_cases(from, to, 1, seed);
  const CaseSet random = random_cases(from, to, 100000, seed);
  set.codes.insert(set.codes.end(), random.codes.begin(), random.codes.end());
  set.name = "nv_intrinsics_" + format_name(from);
  return set;
}

}  // namespace

TEST_CASE("cuda_nv_intrinsics differs from the oracle only in documented classes", "[cuda][nv_intrinsics]") {
  std::printf("cuda_nv_intrinsics against MPFR (seed %u), every offered cell:\n", Catch::rngSeed());
  size_t cells = 0;
  for (const FormatDesc& from : {F::fp16, F::bf16, F::fp32, F::fp64})
    for (const FormatDesc& to : {F::e4m3fn, F::e5m2, F::e2m3fn, F::e3m2fn, F::e2m1fn, F::ue8m0, F::bf16, F::fp16}) {
      if (from == to) continue;
      CaseSet cases;
      for (const RoundingSpec& spec : all_rounding_specs(8)) {
        if (!offered(from, to, spec)) continue;
        if (cases.codes.empty()) cases = sources_for(from, to);
        const Verdict v = run_cell(cases, to, spec);
        INFO(report(v));
        CHECK(v.disposition == Disposition::passed);
        CHECK(v.cases == cases.codes.size());
        ++cells;
      }
    }
  // Written from NVIDIA's API (suites/kernels/vendor_differences_test.cpp
  // checks the same list cell by cell): fp8 4 sources x 5, fp6/fp4 4 x 6,
  // e8m0 3 x 5, bf16/fp16 (4 + 1) x 2.
  CHECK(cells == 20 + 24 + 15 + 10);
}

TEST_CASE("cuda_nv_intrinsics decodes every code exactly up to documented NaN differences",
          "[cuda][nv_intrinsics][decode]") {
  const RoundingSpec rne{Rounding::nearest_even, Overflow::saturate, 0};
  struct Pair { FormatDesc from, to; };
  for (const Pair& p : {Pair{F::e4m3fn, F::fp16}, Pair{F::e5m2, F::fp16}, Pair{F::e2m3fn, F::fp16},
                        Pair{F::e3m2fn, F::fp16}, Pair{F::e2m1fn, F::fp16}, Pair{F::ue8m0, F::bf16},
                        Pair{F::fp16, F::fp32}, Pair{F::bf16, F::fp32}}) {
    REQUIRE(offered(p.from, p.to, rne));
    const Verdict v = run_cell(exhaustive_cases(p.from), p.to, rne);
    INFO(report(v));
    CHECK(v.disposition == Disposition::passed);
    // Only NaN inputs may differ in an exact conversion.
    CHECK(v.mismatches <= nan_codes(p.from, false));
  }
}

TEST_CASE("cuda_nv_intrinsics shows the documented NVIDIA behaviours where they apply",
          "[cuda][nv_intrinsics][classes]") {
  const RoundingSpec rne_sat{Rounding::nearest_even, Overflow::saturate, 0};
  const RoundingSpec rtz_sat{Rounding::toward_zero, Overflow::saturate, 0};
  for (const FormatDesc& from : {F::fp16, F::bf16}) {
    const CaseSet cases = exhaustive_cases(from);
    // fp6 / fp4 have no NaN: NVIDIA gives +MAXNORM for every NaN input, in both modes.
    for (const FormatDesc& to : {F::e2m3fn, F::e3m2fn, F::e2m1fn})
      for (const RoundingSpec& spec : {rne_sat, rtz_sat}) {
        const Verdict v = run_cell(cases, to, spec);
        INFO(report(v));
        CHECK(count_class(v, "nan_to_maxnorm") == nan_codes(from, false));
      }
    // e5m2 under __NV_SATFINITE: +-inf become +-57344 (exactly the two infinite codes).
    const Verdict e5m2 = run_cell(cases, F::e5m2, rne_sat);
    INFO(report(e5m2));
    CHECK(count_class(e5m2, "inf_to_maxnorm") == 2);
    // e4m3fn: every NaN becomes 0x7f, so exactly the negative NaNs differ, by their sign.
    const Verdict e4m3 = run_cell(cases, F::e4m3fn, rne_sat);
    INFO(report(e4m3));
    CHECK(count_class(e4m3, "nan_sign") == nan_codes(from, true));
    CHECK(e4m3.mismatches == nan_codes(from, true));
  }
}
