// The device-side classes of the intrinsics' 2^32 sweep (kernels/include/
// plumb/kernels/nv_sweep_class.hpp, run here on the host) against the shared
// classifier (vendor_differences.hpp): for many fp32 inputs and EVERY code of
// each target that differs from the oracle, a class named after a classifier
// class must be that class, and a coarse class must be one the classifier
// never documents. And the host's judgement of device counts
// (vendor_sweep.hpp): documented counts pass with their full counts, a
// finite-input class fails, a device/host disagreement fails.
#include <catch2/catch.hpp>

#include <bit>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/vendor_differences.hpp"
#include "plumb/checks/vendor_sweep.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/nv_sweep_class.hpp"
#include "plumb/reference/table_oracle.hpp"

using namespace plumb;
using namespace plumb::checks;
using plumb::kernels::NvSweepClass;
namespace F = plumb::formats;

namespace {

// fp32 inputs: NaNs of both signs (quiet, signaling, payloads), +-inf, +-0,
// subnormals, every target's neighbourhood of 1, its range ends and beyond.
std::vector<uint32_t> inputs() {
  std::vector<uint32_t> v = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u, 0x7fffffffu, 0xffffffffu,
                             0x7fa00000u, 0x7f800000u, 0xff800000u, 0x00000000u, 0x80000000u, 0x00000001u,
                             0x80000001u, 0x007fffffu, 0x807fffffu, 0x00800000u, 0x80800000u, 0x00400000u,
                             0x7f7fffffu, 0xff7fffffu};
  for (float x : {1.0f, 1.0625f, 1.5f, 0.25f, 0.75f, 3.0f, 5.0f, 6.0f, 7.0f, 7.5f, 28.0f, 30.0f, 448.0f, 464.0f,
                  465.0f, 480.0f, 57344.0f, 61440.0f, 1e-3f, 1e-8f, 1e30f, 3e38f})
    for (float s : {1.0f, -1.0f}) {
      const uint32_t b = std::bit_cast<uint32_t>(s * x);
      v.insert(v.end(), {b, b + 1, b - 1});
    }
  return v;
}

const std::vector<std::pair<FormatDesc, RoundingSpec>> kCells = {
    {F::e4m3fn, {Rounding::nearest_even, Overflow::saturate, 0}},
    {F::e4m3fn, {Rounding::nearest_even, Overflow::nan, 0}},
    {F::e5m2, {Rounding::nearest_even, Overflow::saturate, 0}},
    {F::e5m2, {Rounding::nearest_even, Overflow::infinity, 0}},
    {F::e2m3fn, {Rounding::toward_zero, Overflow::saturate, 0}},
    {F::e3m2fn, {Rounding::nearest_even, Overflow::saturate, 0}},
    {F::e2m1fn, {Rounding::nearest_even, Overflow::saturate, 0}},
    {F::ue8m0, {Rounding::toward_zero, Overflow::saturate, 0}},
    {F::ue8m0, {Rounding::upward, Overflow::nan, 0}},
};

}  // namespace

TEST_CASE("the sweep's device classes agree with the shared classifier on every differing code",
          "[vendor][nv_sweep]") {
  const std::vector<uint32_t> xs = inputs();
  std::set<std::string> seen;
  for (const auto& [to, spec] : kCells) {
    auto table = std::make_unique<reference::TableOracle>();
    REQUIRE(reference::make_table_oracle(to, *table));
    uint64_t checked = 0;
    for (const uint32_t x : xs) {
      const auto want = reference::table_oracle_convert_fp32(*table, x, spec, 0);
      for (uint64_t got = 0; got <= to.code_mask(); ++got) {
        if (!vendor_differs(got, {want.code, want.flags})) continue;
        const NvSweepClass c = kernels::nv_sweep_class(to, x, got, want.code, want.flags,
                                                       [&](uint32_t mag, uint64_t& code, uint8_t& flags) {
                                                         const auto m = reference::table_oracle_convert_fp32(
                                                             *table, mag, spec, 0);
                                                         code = m.code, flags = m.flags;
                                                       });
        const std::string device = kernels::kNvSweepClassNames[static_cast<int>(c)];
        const std::string host = classify_vendor_difference(F::fp32, to, x, got, {want.code, want.flags}, spec);
        INFO(format_name(to) << " input " << hex_code(x) << " got " << hex_code(got) << ": device " << device
                             << ", host " << host);
        if (!cuda_documented_anchor(device).empty()) REQUIRE(host == device);
        else REQUIRE(cuda_documented_anchor(host).empty());
        if (device == "nan_other" || device == "inf_other" || device == "negative_other") REQUIRE(host == "other");
        seen.insert(device);
        ++checked;
      }
    }
    CHECK(checked > xs.size());
  }
  CHECK(seen.size() == static_cast<size_t>(kernels::kNvSweepClasses));  // every class was exercised
}

namespace {

Verdict judged(const FormatDesc& to, const RoundingSpec& spec, const std::vector<DeviceClassTally>& tallies) {
  Verdict v;
  v.from = F::fp32;
  v.to = to;
  v.spec = spec;
  v.cases = uint64_t{1} << 32;
  judge_device_class_tallies(v, tallies, 0, 16);
  return v;
}

const RoundingSpec kRneSat{Rounding::nearest_even, Overflow::saturate, 0};

// -NaN into e4m3fn: CUDA 0x7f, plumb 0xff (oracle flags: none).
Counterexample nan_sign_example(uint32_t x) { return {x, 0, 0x7f, 0, 0xff, 0}; }

}  // namespace

TEST_CASE("device counts of documented classes pass with their full counts", "[vendor][nv_sweep]") {
  const uint64_t negative_nans = (uint64_t{1} << 23) - 1;
  const Verdict v = judged(F::e4m3fn, kRneSat,
                           {{"nan_sign", negative_nans, {nan_sign_example(0xff800001u), nan_sign_example(0xffc00000u)}},
                            {"finite", 0, {}}});
  INFO(v.message);
  CHECK(v.disposition == Disposition::passed);
  CHECK(v.mismatches == negative_nans);
  REQUIRE(v.differences.size() == 1);
  CHECK(v.differences[0].name == "nan_sign");
  CHECK(v.differences[0].count == negative_nans);
  CHECK(v.differences[0].documented == "docs/VENDOR_DIFFERENCES.md#cuda-nan-sign");
  CHECK(v.counterexamples.empty());
}

TEST_CASE("a finite-input device class fails, refined by the host", "[vendor][nv_sweep]") {
  // 1.0625 is a tie into e4m3fn: 1.125 (0x39) instead of nearest-even 1.0 (0x38).
  const Counterexample tie{std::bit_cast<uint32_t>(1.0625f), 0, 0x39, 0, 0x38, kInexact};
  SECTION("every difference kept: listed by its refined class") {
    const Verdict v = judged(F::e4m3fn, kRneSat, {{"finite", 1, {tie}}});
    INFO(v.message);
    CHECK(v.disposition == Disposition::incorrect);
    REQUIRE(v.differences.size() == 1);
    CHECK(v.differences[0].name == "rounding");
    CHECK(v.differences[0].documented.empty());
    CHECK(v.counterexamples.size() == 1);
  }
  SECTION("more differences than examples: the device's class with its count") {
    const Verdict v = judged(F::e4m3fn, kRneSat, {{"finite", 1000, {tie}}});
    INFO(v.message);
    CHECK(v.disposition == Disposition::incorrect);
    REQUIRE(v.differences.size() == 1);
    CHECK(v.differences[0].name == "finite");
    CHECK(v.differences[0].count == 1000);
    CHECK(v.message.find("finite examples: rounding 1") != std::string::npos);
  }
}

TEST_CASE("a device class the host classifier contradicts fails", "[vendor][nv_sweep]") {
  // Claimed nan_sign, but +NaN -> 0x7e against 0x7f is a payload difference... of e4m3fn's
  // single NaN per sign, so the host calls it other: either way not the device's class.
  const Counterexample wrong{0x7fc00000u, 0, 0x7e, 0, 0x7f, 0};
  const Verdict v = judged(F::e4m3fn, kRneSat, {{"nan_sign", 3, {wrong, nan_sign_example(0xffc00000u)}}});
  INFO(v.message);
  CHECK(v.disposition == Disposition::incorrect);
  CHECK(v.mismatches == 3);
  bool disagreement = false;
  uint64_t total = 0;
  for (const auto& d : v.differences) {
    disagreement |= d.name == "device_host_disagreement" && d.count == 1 && d.documented.empty();
    total += d.count;
  }
  CHECK(disagreement);
  CHECK(total == 3);
}
