// Vendor difference classes (suites/support vendor_differences.hpp) and the
// judging of vendor kernels (Judged::cuda_vendor): each documented CUDA
// behaviour of docs/VENDOR_DIFFERENCES.md lands in its class, a real rounding
// difference does not, and a cell fails exactly when a difference of an
// undocumented class is present. With CUDA built: which conversions the GPU
// kernel cuda_nv_intrinsics accepts (NVIDIA's API, written out below), and
// that without a GPU its cells are skipped, never passed.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>

#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/vendor_differences.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/convert_reference.hpp"

using namespace plumb;
using namespace plumb::checks;
namespace F = plumb::formats;

namespace {

uint32_t f32(float x) { return std::bit_cast<uint32_t>(x); }

// The class of `got` for one fp32 input, against the MPFR oracle.
std::string class_of(uint32_t input, const FormatDesc& to, const RoundingSpec& spec, uint64_t got) {
  const auto want = reference::mpfr_convert(F::fp32, to, input, spec);
  INFO("input " << hex_code(input) << " -> " << format_name(to) << ": oracle " << hex_code(want.code) << " "
                << flags_to_string(want.flags) << ", vendor " << hex_code(got));
  REQUIRE(vendor_differs(got, want));
  return classify_vendor_difference(F::fp32, to, input, got, want, spec);
}

const RoundingSpec kRneSat{Rounding::nearest_even, Overflow::saturate, 0};

}  // namespace

TEST_CASE("each documented CUDA behaviour falls in its class", "[vendor][quick]") {
  // -NaN into e4m3fn: CUDA's 0x7f drops the sign (plumb keeps it: 0xff).
  CHECK(class_of(0xffc00000u, F::e4m3fn, kRneSat, 0x7f) == "nan_sign");
  // NaN into e5m2: CUDA's 0x7f has all mantissa bits set, plumb's 0x7e only the quiet bit.
  CHECK(class_of(0x7fc00000u, F::e5m2, kRneSat, 0x7f) == "nan_payload");
  // NaN into fp4 (no NaN): CUDA gives +6 (0x7) whatever the sign; another code is not that class.
  CHECK(class_of(0xffc00000u, F::e2m1fn, kRneSat, F::e2m1fn.max_finite_code()) == "nan_to_maxnorm");
  CHECK(class_of(0xffc00000u, F::e2m1fn, kRneSat, 0x0) == "other");
  // +inf into e5m2 under __NV_SATFINITE: +57344 instead of +inf.
  CHECK(class_of(0x7f800000u, F::e5m2, kRneSat, F::e5m2.max_finite_code()) == "inf_to_maxnorm");
  CHECK(class_of(0xff800000u, F::e5m2, kRneSat, F::e5m2.max_finite_code() | F::e5m2.sign_bit()) ==
        "inf_to_maxnorm");
  CHECK(class_of(0xff800000u, F::e5m2, kRneSat, F::e5m2.max_finite_code()) == "other");  // wrong sign
  // -3 into ue8m0 rounding upward: CUDA converts |x| (4 = 0x81); another code is not that class.
  const RoundingSpec up_sat{Rounding::upward, Overflow::saturate, 0};
  const uint64_t four = reference::mpfr_convert(F::fp32, F::ue8m0, f32(4.0f), up_sat).code;
  CHECK(class_of(f32(-3.0f), F::ue8m0, up_sat, four) == "negative_into_unsigned");
  CHECK(class_of(f32(-3.0f), F::ue8m0, up_sat, four + 1) == "other");
}

TEST_CASE("undocumented differences get classes that CUDA's documentation does not excuse", "[vendor][quick]") {
  // 1.0625 is a tie between e4m3fn's 1 and 1.125; nearest_even gives 1: 1.125 is a rounding error.
  const uint64_t wrong_tie = reference::mpfr_convert(F::fp32, F::e4m3fn, f32(1.125f), kRneSat).code;
  CHECK(class_of(f32(1.0625f), F::e4m3fn, kRneSat, wrong_tie) == "rounding");
  // 1000 overflows e4m3fn: NaN is plumb's `nan` policy, not the `saturate` asked for.
  const RoundingSpec rne_nan{Rounding::nearest_even, Overflow::nan, 0};
  const uint64_t nan_code = reference::mpfr_convert(F::fp32, F::e4m3fn, f32(1000.0f), rne_nan).code;
  CHECK(class_of(f32(1000.0f), F::e4m3fn, kRneSat, nan_code) == "overflow_policy");
  // -1e-10 underflows to -0 in e4m3fn; +0 is a zero of the wrong sign.
  CHECK(class_of(f32(-1e-10f), F::e4m3fn, kRneSat, 0x00) == "negative_zero");
  for (const char* cls : {"rounding", "overflow_policy", "negative_zero", "other"})
    CHECK(cuda_documented_anchor(cls).empty());
  for (const char* cls : {"nan_sign", "nan_payload", "nan_to_maxnorm", "inf_to_maxnorm", "negative_into_unsigned"})
    CHECK(cuda_documented_anchor(cls).rfind("docs/VENDOR_DIFFERENCES.md#cuda-", 0) == 0);
}

namespace {

// Stand-ins for vendor kernels, on the CPU: plumb's own rounding, then one
// vendor habit. Judged like cuda_nv_intrinsics.
kernels::KernelStatus nan_sign_dropping(const kernels::ConvertArgs& a, const void* in, void* out, uint8_t* flags,
                                        size_t n, const uint32_t* rbits, std::string*) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t c = kernels::load_code(in, a.from.storage_bytes(), i);
    uint64_t r = convert_code(a.from, a.to, c, a.spec, rbits ? rbits[i] : 0).code;
    // CUDA's fp8 NaN is 0x7f whatever the sign (where clearing the sign leaves a NaN).
    if (classify(a.to, r) == ValueClass::nan && classify(a.to, r & ~a.to.sign_bit()) == ValueClass::nan)
      r &= ~a.to.sign_bit();
    kernels::store_code(out, a.to.storage_bytes(), i, r);
    if (flags) flags[i] = 0;  // vendors report no flags
  }
  return kernels::KernelStatus::ok;
}

kernels::KernelStatus ties_away(const kernels::ConvertArgs& a, const void* in, void* out, uint8_t* flags, size_t n,
                                const uint32_t*, std::string*) {
  RoundingSpec wrong = a.spec;
  wrong.rounding = Rounding::nearest_away;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t c = kernels::load_code(in, a.from.storage_bytes(), i);
    kernels::store_code(out, a.to.storage_bytes(), i, convert_code(a.from, a.to, c, wrong, 0).code);
    if (flags) flags[i] = 0;
  }
  return kernels::KernelStatus::ok;
}

const kernels::ConvertKernel kNanSignDropping{"test_nan_sign_dropping", kernels::Device::cpu, "test",
                                              &nan_sign_dropping, false, kernels::Judged::cuda_vendor};
const kernels::ConvertKernel kTiesAway{"test_vendor_ties_away", kernels::Device::cpu, "test", &ties_away, false,
                                       kernels::Judged::cuda_vendor};

Verdict judge(const kernels::ConvertKernel& k, const CaseSet& cases, const FormatDesc& to, const RoundingSpec& spec) {
  CheckSettings settings;
  return check_convert(k, cases, to, spec, oracle_results(Oracle::mpfr, cases, to, spec, settings), settings);
}

}  // namespace

TEST_CASE("a vendor kernel with documented differences only passes, and names them", "[vendor][quick]") {
  const CaseSet cases = exhaustive_cases(F::fp16);
  // Every negative fp16 NaN (sign set, exponent all ones, mantissa != 0) loses its sign.
  uint64_t negative_nans = 0;
  for (uint64_t c : cases.codes) negative_nans += (c & 0x8000) && (c & 0x7c00) == 0x7c00 && (c & 0x3ff);
  const Verdict v = judge(kNanSignDropping, cases, F::e4m3fn, kRneSat);
  INFO(v.message);
  CHECK(v.disposition == Disposition::passed);
  CHECK(v.mismatches == negative_nans);
  REQUIRE(v.differences.size() == 1);
  CHECK(v.differences[0].name == "nan_sign");
  CHECK(v.differences[0].count == negative_nans);
  CHECK(v.differences[0].documented == "docs/VENDOR_DIFFERENCES.md#cuda-nan-sign");
  CHECK(v.counterexamples.empty());  // counterexamples are for undocumented differences
  CHECK(v.flag_mismatches == 0);     // flags are not compared
  CHECK(v.message.find("nan_sign " + std::to_string(negative_nans)) != std::string::npos);
  // A target whose NaN has no sign bit to drop (e4m3fnuz): no difference at all.
  const Verdict fnuz = judge(kNanSignDropping, cases, F::e4m3fnuz, kRneSat);
  CHECK(fnuz.disposition == Disposition::passed);
  CHECK(fnuz.mismatches == 0);
  CHECK(fnuz.differences.empty());
}

TEST_CASE("a vendor kernel that rounds a tie wrongly is incorrect, with a tie counterexample", "[vendor][quick]") {
  const CaseSet cases = exhaustive_cases(F::fp16);
  const Verdict v = judge(kTiesAway, cases, F::e4m3fn, kRneSat);
  INFO(v.message);
  REQUIRE(v.disposition == Disposition::incorrect);
  REQUIRE_FALSE(v.counterexamples.empty());
  bool rounding_named = false;
  for (const auto& d : v.differences) rounding_named |= d.name == "rounding" && d.documented.empty();
  CHECK(rounding_named);
  CHECK(v.message.find("rounding") != std::string::npos);
  for (const auto& c : v.counterexamples) {  // the input lies halfway between got and expected
    const double x = decode(F::fp16, c.input), got = decode(F::e4m3fn, c.got), want = decode(F::e4m3fn, c.expected);
    INFO("input " << x << " got " << got << " expected " << want);
    CHECK(std::fabs(x - got) == std::fabs(x - want));
  }
}

#if defined(PLUMB_HAVE_CUDA)
namespace {

// What NVIDIA's CUDA 13.0 headers offer, written from their declarations and
// docs/VENDOR_DIFFERENCES.md's mapping (not from the kernel's plan).
bool nvidia_offers(const FormatDesc& from, const FormatDesc& to, const RoundingSpec& s) {
  const Rounding r = s.rounding;
  const Overflow o = s.overflow;
  const bool narrow_decode = from == F::e4m3fn || from == F::e5m2 || from == F::e2m3fn || from == F::e3m2fn ||
                             from == F::e2m1fn;
  if ((narrow_decode && to == F::fp16) || (from == F::ue8m0 && to == F::bf16) ||
      ((from == F::fp16 || from == F::bf16) && to == F::fp32))
    return true;  // exact: every rounding and policy
  if (!(from == F::fp32 || from == F::fp64 || from == F::fp16 || from == F::bf16)) return false;
  const bool rne = r == Rounding::nearest_even, rtz = r == Rounding::toward_zero;
  if (to == F::e4m3fn) return rne;  // __NV_SATFINITE / __NV_NOSAT (no infinity: nan = infinity)
  if (to == F::e5m2) return rne && o != Overflow::nan;
  if (to == F::e2m3fn || to == F::e3m2fn || to == F::e2m1fn) return (rne || rtz) && o == Overflow::saturate;
  if (to == F::ue8m0) return from != F::fp16 && ((rtz && o != Overflow::nan) || r == Rounding::upward);
  if (to == F::bf16 || to == F::fp16) {
    const bool directed = rtz || r == Rounding::upward || r == Rounding::downward;
    return o == Overflow::infinity && ((from == F::fp64 && rne) || (from == F::fp32 && (rne || directed)));
  }
  return false;
}

}  // namespace

TEST_CASE("cuda_nv_intrinsics accepts exactly the conversions NVIDIA offers", "[vendor][cuda_nv_intrinsics]") {
  const auto* k = kernels::find_convert_kernel("cuda_nv_intrinsics");
  REQUIRE(k != nullptr);
  CHECK(k->device == kernels::Device::cuda);
  CHECK(k->judged == kernels::Judged::cuda_vendor);
  CHECK_FALSE(k->planted_bug);
  size_t offered = 0;
  for (const auto& from : named_formats())
    for (const auto& to : named_formats())
      for (const RoundingSpec& spec : all_rounding_specs(8)) {
        const uint64_t zero = 0;
        uint64_t out = 0;
        uint8_t flag = 0xff;
        uint32_t rbits = 0;
        std::string message;
        const auto st = k->fn({from.desc, to.desc, spec}, &zero, &out, &flag, 1, &rbits, &message);
        const bool offers = nvidia_offers(from.desc, to.desc, spec);
        offered += offers;
        INFO(from.name << " -> " << to.name << " " << rounding_name(spec.rounding) << "/"
                       << overflow_name(spec.overflow) << ": " << message);
        CHECK((st == kernels::KernelStatus::not_supported) == !offers);
        // Without a GPU an offered conversion is an error saying so, never a silent success.
        if (offers && kernels::cuda_device_count() == 0) CHECK(st == kernels::KernelStatus::error);
      }
  // fp8: 4 sources x (e4m3fn 3 + e5m2 2 policies); fp6/fp4: 4 x 3 x 2 modes; e8m0: 3 sources x 5;
  // bf16/fp16: fp32 4 modes + fp64 1, x 2; 8 exact decodes x 21 specs.
  CHECK(offered == 4 * 5 + 4 * 3 * 2 + 3 * 5 + 2 * 5 + 8 * 21);
}

TEST_CASE("cuda_nv_intrinsics cells are skipped without a GPU and judged by class with one",
          "[vendor][cuda_nv_intrinsics]") {
  const auto* k = kernels::find_convert_kernel("cuda_nv_intrinsics");
  REQUIRE(k != nullptr);
  const Verdict v = judge(*k, exhaustive_cases(F::fp16), F::e4m3fn, kRneSat);
  INFO(disposition_name(v.disposition) << ": " << v.message);
  if (kernels::cuda_device_count() == 0) {
    CHECK(v.disposition == Disposition::skipped);
    CHECK(v.cases == 0);
    CHECK(v.message == "no CUDA device on this machine");
  } else {  // __nv_cvt_halfraw_to_fp8(x, __NV_SATFINITE, __NV_E4M3): NaN signs dropped, documented
    CHECK(v.disposition == Disposition::passed);
    CHECK(v.cases == 65536);
    REQUIRE(v.differences.size() == 1);
    CHECK(v.differences[0].name == "nan_sign");
  }
}
#endif
