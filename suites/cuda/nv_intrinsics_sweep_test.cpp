// NVIDIA's intrinsics over all 2^32 fp32 codes (kernels/cuda/convert/
// nv_intrinsics_sweep.cu): the differences from the table oracle, counted per
// class on the GPU, must be exactly the documented ones
// (docs/VENDOR_DIFFERENCES.md): none from a finite input, and for NaN and
// infinite inputs the counts that follow from the fp32 encoding. A planted
// mismatch (the __NV_SATFINITE intrinsic judged under plumb's nan policy)
// must fail, with the exact number of overflowing fp32 codes.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdio>
#include <string>
#include <vector>

#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/vendor_differences.hpp"
#include "plumb/checks/vendor_sweep.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/cuda_nv_sweep.hpp"

namespace {

using plumb::FormatDesc;
using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;
using plumb::kernels::NvSweepClass;
namespace kc = plumb::kernels::cuda;
namespace F = plumb::formats;

constexpr uint64_t kNegativeNans = (uint64_t{1} << 23) - 1;  // 0xff800001 .. 0xffffffff
constexpr uint64_t kAllNans = 2 * kNegativeNans;

uint64_t count(const kc::NvSweepResult& r, NvSweepClass c) { return r.classes[static_cast<int>(c)].count; }

std::string describe(const kc::NvSweepResult& r) {
  std::string s = std::to_string(r.differences) + " differences, " + std::to_string(r.seconds) + " s";
  if (!r.error.empty()) s += "\nerror: " + r.error;
  for (int c = 0; c < plumb::kernels::kNvSweepClasses; ++c) {
    if (r.classes[c].count == 0) continue;
    s += std::string("\n  ") + plumb::kernels::kNvSweepClassNames[c] + " " + std::to_string(r.classes[c].count);
    for (const auto& e : r.classes[c].examples)
      s += " [" + plumb::checks::hex_code(e.input) + ": got " + plumb::checks::hex_code(e.got) + ", oracle " +
           plumb::checks::hex_code(e.expected) + " " + plumb::checks::flags_to_string(e.expected_flags) + "]";
  }
  return s;
}

kc::NvSweepResult sweep(const FormatDesc& to, const RoundingSpec& spec, const RoundingSpec& oracle) {
  const kc::NvSweepResult r = kc::nv_intrinsics_fp32_sweep(to, spec, oracle);
  std::printf("nv_intrinsics fp32 -> %s %s/%s: %.3f s, %llu differences\n", plumb::format_name(to).c_str(),
              plumb::checks::rounding_name(spec.rounding), plumb::checks::overflow_name(spec.overflow), r.seconds,
              static_cast<unsigned long long>(r.differences));
  std::fflush(stdout);
  return r;
}

// The host's judgement of the device's counts (what plumb verify prints).
plumb::checks::Verdict judge(const kc::NvSweepResult& r, const FormatDesc& to, const RoundingSpec& oracle) {
  plumb::checks::Verdict v;
  v.from = F::fp32;
  v.to = to;
  v.spec = oracle;
  v.cases = r.cases;
  std::vector<plumb::checks::DeviceClassTally> tallies;
  for (int c = 0; c < plumb::kernels::kNvSweepClasses; ++c) {
    plumb::checks::DeviceClassTally t{plumb::kernels::kNvSweepClassNames[c], r.classes[c].count, {}};
    for (const auto& e : r.classes[c].examples) t.examples.push_back({e.input, 0, e.got, 0, e.expected, e.expected_flags});
    tallies.push_back(t);
  }
  plumb::checks::judge_device_class_tallies(v, tallies, r.max_ulp, 16);
  return v;
}

// The documented classes of a passed verdict, "name count, ...".
std::string documented(const plumb::checks::Verdict& v) { return plumb::checks::differences_text(v.differences, true); }

void require_no_undocumented(const kc::NvSweepResult& r) {
  CHECK(count(r, NvSweepClass::finite) == 0);
  CHECK(count(r, NvSweepClass::nan_other) == 0);
  CHECK(count(r, NvSweepClass::inf_other) == 0);
  CHECK(count(r, NvSweepClass::negative_other) == 0);
}

}  // namespace

TEST_CASE("nv intrinsics sweep: fp32 -> e4m3fn satfinite differs only on negative NaNs (nan_sign)",
          "[cuda][sweep][nv_intrinsics]") {
  const RoundingSpec spec{Rounding::nearest_even, Overflow::saturate, 0};
  const kc::NvSweepResult r = sweep(F::e4m3fn, spec, spec);
  INFO(describe(r));
  REQUIRE(r.ok);
  CHECK(r.cases == kc::kSweepCases);
  require_no_undocumented(r);
  // Every NaN gives 0x7f: the positive ones agree, each negative one loses its sign.
  CHECK(count(r, NvSweepClass::nan_sign) == kNegativeNans);
  CHECK(r.differences == kNegativeNans);
  const auto v = judge(r, F::e4m3fn, spec);
  INFO(v.message);
  CHECK(v.disposition == plumb::checks::Disposition::passed);
  CHECK(documented(v) == "nan_sign " + std::to_string(kNegativeNans));
}

TEST_CASE("nv intrinsics sweep: fp32 -> e2m1fn rn gives +6 for every NaN (nan_to_maxnorm), nothing else",
          "[cuda][sweep][nv_intrinsics]") {
  for (const Rounding mode : {Rounding::nearest_even, Rounding::toward_zero}) {
    const RoundingSpec spec{mode, Overflow::saturate, 0};
    const kc::NvSweepResult r = sweep(F::e2m1fn, spec, spec);
    INFO(describe(r));
    REQUIRE(r.ok);
    require_no_undocumented(r);
    CHECK(count(r, NvSweepClass::nan_to_maxnorm) == kAllNans);
    CHECK(r.differences == kAllNans);
    const auto v = judge(r, F::e2m1fn, spec);
    INFO(v.message);
    CHECK(v.disposition == plumb::checks::Disposition::passed);
    CHECK(documented(v) == "nan_to_maxnorm " + std::to_string(kAllNans));
  }
}

TEST_CASE("nv intrinsics sweep: fp32 -> e5m2 satfinite: +-inf -> +-MAXNORM and NaN -> 0x7f, nothing finite",
          "[cuda][sweep][nv_intrinsics]") {
  const RoundingSpec spec{Rounding::nearest_even, Overflow::saturate, 0};
  const kc::NvSweepResult r = sweep(F::e5m2, spec, spec);
  INFO(describe(r));
  REQUIRE(r.ok);
  require_no_undocumented(r);
  CHECK(count(r, NvSweepClass::inf_to_maxnorm) == 2);
  CHECK(count(r, NvSweepClass::nan_payload) == kNegativeNans);  // +NaN: 0x7f, plumb 0x7e
  CHECK(count(r, NvSweepClass::nan_sign) == kNegativeNans);     // -NaN: 0x7f, plumb 0xfe
  CHECK(r.differences == 2 + kAllNans);
  const auto v = judge(r, F::e5m2, spec);
  INFO(v.message);
  CHECK(v.disposition == plumb::checks::Disposition::passed);
}

TEST_CASE("nv intrinsics sweep: fp32 -> ue8m0 converts |x| of negative inputs, nothing else differs",
          "[cuda][sweep][nv_intrinsics]") {
  const RoundingSpec spec{Rounding::toward_zero, Overflow::saturate, 0};
  const kc::NvSweepResult r = sweep(F::ue8m0, spec, spec);
  INFO(describe(r));
  REQUIRE(r.ok);
  require_no_undocumented(r);
  // Negative inputs from -2^-126 to -inf give |x|'s code (0x01 and up), plumb 0x00.
  const uint64_t at_least = 0x7f800000u - 0x00800000u + 1;
  CHECK(count(r, NvSweepClass::negative_into_unsigned) >= at_least);
  CHECK(count(r, NvSweepClass::negative_into_unsigned) < (uint64_t{1} << 31));
  CHECK(r.differences == count(r, NvSweepClass::negative_into_unsigned));
  const auto v = judge(r, F::ue8m0, spec);
  INFO(v.message);
  CHECK(v.disposition == plumb::checks::Disposition::passed);
}

TEST_CASE("nv intrinsics sweep: a planted policy mismatch is caught as finite differences",
          "[cuda][sweep][nv_intrinsics][planted]") {
  // __NV_SATFINITE (+-448 beyond the range) judged under plumb's nan policy (NaN there).
  const RoundingSpec spec{Rounding::nearest_even, Overflow::saturate, 0};
  const RoundingSpec oracle{Rounding::nearest_even, Overflow::nan, 0};
  const kc::NvSweepResult r = sweep(F::e4m3fn, spec, oracle);
  INFO(describe(r));
  REQUIRE(r.ok);
  // Every finite fp32 value above 464 (the tie between 448 and 480, which goes to even 448) up to
  // FLT_MAX, both signs.
  const uint64_t overflowing = 2 * (uint64_t{0x7f7fffffu} - std::bit_cast<uint32_t>(464.0f));
  CHECK(count(r, NvSweepClass::finite) == overflowing);
  CHECK(count(r, NvSweepClass::inf_other) == 2);  // +-inf: +-448, the oracle NaN
  const auto v = judge(r, F::e4m3fn, oracle);
  INFO(v.message);
  CHECK(v.disposition == plumb::checks::Disposition::incorrect);
  REQUIRE(!v.counterexamples.empty());
  // The kept examples re-classify as overflow_policy on the host.
  CHECK(v.message.find("overflow_policy") != std::string::npos);
}
