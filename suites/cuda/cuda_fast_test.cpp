// cuda_fast against cpu_scalar on the GPU: fp32 inputs (every fp16 and every
// bf16 code widened exactly, fp32 subnormals of both signs, seeded random bit
// patterns, specials) into every named format of at most 8 bits, under every
// rounding mode and overflow policy, with flags and without (the kernel has a
// codes-only instantiation), and at sizes whose tail (n % 4) is not zero.
// Codes and flags must agree bit for bit. cuda_fast has its own branch-free
// element function (kernels/cuda/convert/convert_fast_element.hpp), so this is
// the device-side proof that it re-expresses formats/ convert_code exactly;
// ue8m0's direct path on fp32 subnormals is the case it was added for.
//
// Random inputs come from Catch's --rng-seed (printed on failure).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace {

using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;
using plumb::kernels::ConvertArgs;
using plumb::kernels::ConvertKernel;
using plumb::kernels::KernelStatus;

const ConvertKernel& kernel(const char* name) {
  const ConvertKernel* k = plumb::kernels::find_convert_kernel(name);
  INFO("kernel " << name << " is not in the registry");
  REQUIRE(k != nullptr);
  return *k;
}

uint32_t widen(uint16_t code, const plumb::FormatDesc& f) {
  return static_cast<uint32_t>(
      plumb::convert_code(f, plumb::formats::fp32, code, RoundingSpec{}, 0).code);
}

// The input set described in the header.
std::vector<uint32_t> fp32_inputs(uint64_t seed, size_t random) {
  std::vector<uint32_t> in;
  for (uint32_t c = 0; c < 65536; ++c) in.push_back(widen(static_cast<uint16_t>(c), plumb::formats::fp16));
  for (uint32_t c = 0; c < 65536; ++c) in.push_back(c << 16);
  for (uint32_t m : {1u, 2u, 0x1fffffu, 0x200000u, 0x200001u, 0x3fffffu, 0x400000u, 0x400001u,
                     0x5fffffu, 0x600000u, 0x600001u, 0x7fffffu})
    for (uint32_t s : {0u, 0x80000000u}) in.push_back(s | m);
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < random; ++i) in.push_back(static_cast<uint32_t>(rng()));
  for (size_t i = 0; i < random / 8; ++i) in.push_back(static_cast<uint32_t>(rng()) & 0x807fffffu);
  return in;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// One conversion by both kernels; empty when they agree on every code and flag.
std::string compare(const ConvertArgs& args, const uint32_t* in, size_t n, const uint32_t* rbits,
                    bool with_flags) {
  const ConvertKernel& fast = kernel("cuda_fast");
  const ConvertKernel& ref = kernel("cpu_scalar");
  std::vector<uint8_t> got(n, 0xa5), want(n, 0x5a), gf(n, 0xee), wf(n, 0xdd);
  std::string gm, wm;
  const KernelStatus gs = fast.fn(args, in, got.data(), with_flags ? gf.data() : nullptr, n, rbits, &gm);
  const KernelStatus ws = ref.fn(args, in, want.data(), wf.data(), n, rbits, &wm);
  if (gs != KernelStatus::ok) return "cuda_fast failed: " + gm;
  if (ws != KernelStatus::ok) return "cpu_scalar failed: " + wm;
  size_t bad = 0;
  std::string shown;
  for (size_t i = 0; i < n; ++i) {
    if (got[i] == want[i] && (!with_flags || gf[i] == wf[i])) continue;
    if (bad++ < 5)
      shown += "\n  input " + hex(in[i]) + (rbits ? " rbits " + hex(rbits[i]) : "") + ": got " +
               hex(got[i]) + " flags " + hex(gf[i]) + ", expected " + hex(want[i]) + " flags " +
               hex(wf[i]);
  }
  return bad ? std::to_string(bad) + " of " + std::to_string(n) + " differ:" + shown : "";
}

std::vector<plumb::NamedFormat> narrow_formats() {
  std::vector<plumb::NamedFormat> out;
  for (const auto& f : plumb::named_formats())
    if (f.desc.bits() <= 8) out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("cuda_fast matches cpu_scalar from fp32 into every format of at most 8 bits",
          "[cuda][convert][cuda_fast]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  const std::vector<uint32_t> in = fp32_inputs(seed, size_t{1} << 17);
  std::mt19937_64 rng(seed ^ 0x5eedu);
  std::vector<uint32_t> rbits(in.size());
  for (auto& r : rbits) r = static_cast<uint32_t>(rng());
  for (const auto& target : narrow_formats())
    for (int r = 0; r < plumb::kRoundingCount; ++r)
      for (int o = 0; o < plumb::kOverflowCount; ++o) {
        const RoundingSpec spec{static_cast<Rounding>(r), static_cast<Overflow>(o),
                                static_cast<uint8_t>(r == static_cast<int>(Rounding::stochastic) ? 8 : 0)};
        const bool sr = spec.rounding == Rounding::stochastic;
        const ConvertArgs args{plumb::formats::fp32, target.desc, spec};
        for (bool with_flags : {true, false}) {
          INFO("fp32 -> " << target.name << " rounding " << r << " overflow " << o
                          << (with_flags ? " with flags" : " codes only"));
          const std::string report =
              compare(args, in.data(), in.size(), sr ? rbits.data() : nullptr, with_flags);
          INFO(report);
          CHECK(report.empty());
        }
      }
}

TEST_CASE("cuda_fast stochastic rounding matches cpu_scalar for k of 1 13 and 32",
          "[cuda][convert][cuda_fast][stochastic]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  const std::vector<uint32_t> in = fp32_inputs(seed, size_t{1} << 16);
  std::mt19937_64 rng(seed ^ 0x5eedu);
  std::vector<uint32_t> rbits(in.size());
  for (auto& r : rbits) r = static_cast<uint32_t>(rng());
  for (const auto& target : narrow_formats())
    for (int k : {1, 13, 32}) {
      const RoundingSpec spec{Rounding::stochastic, Overflow::saturate, static_cast<uint8_t>(k)};
      INFO("fp32 -> " << target.name << " stochastic k=" << k);
      const std::string report =
          compare(ConvertArgs{plumb::formats::fp32, target.desc, spec}, in.data(), in.size(),
                  rbits.data(), true);
      INFO(report);
      CHECK(report.empty());
    }
}

TEST_CASE("cuda_fast handles every tail length", "[cuda][convert][cuda_fast]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  const std::vector<uint32_t> in = fp32_inputs(seed, 4096);
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{7}, size_t{1023},
                   size_t{4097}, size_t{65541}})
    for (const auto* name : {"e4m3fn", "ue8m0", "int4"}) {
      const auto f = plumb::find_format(name);
      REQUIRE(f.has_value());
      INFO("n " << n << " fp32 -> " << name);
      const std::string report =
          compare(ConvertArgs{plumb::formats::fp32, *f, RoundingSpec{}}, in.data() + 100, n,
                  nullptr, true);
      INFO(report);
      CHECK(report.empty());
    }
}
