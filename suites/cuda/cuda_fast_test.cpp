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
//
// cuda_fast's hardware path (fp32 -> e4m3fn / e5m2, nearest_even, codes only:
// cvt.rn.satfinite plus plumb's patch for NaN, infinity and overflow, see
// convert_fast_kernel.cuh) is also checked on all 2^32 fp32 inputs under each
// overflow policy, and on NaN payloads and signs, infinities, subnormals and
// the overflow thresholds in every lane of a vector.
#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/kernels/cuda_convert.hpp"

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

namespace {

// fn(begin, end) over [0, n) in one slice per hardware thread.
template <class Fn>
void parallel_for(size_t n, Fn fn) {
  const size_t t = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), 64));
  std::vector<std::thread> pool;
  for (size_t k = 0; k < t; ++k)
    pool.emplace_back([&, k] { fn(n * k / t, n * (k + 1) / t); });
  for (auto& th : pool) th.join();
}

struct HwCell {
  plumb::FormatDesc to;
  const char* name;
  Overflow overflow;
  size_t bad = 0;
  std::string shown;
};

std::vector<HwCell> hw_cells() {
  std::vector<HwCell> cells;
  for (const auto& [to, name] : {std::pair{plumb::formats::e4m3fn, "e4m3fn"},
                                 std::pair{plumb::formats::e5m2, "e5m2"}})
    for (Overflow o : {Overflow::saturate, Overflow::infinity, Overflow::nan})
      cells.push_back({to, name, o, 0, {}});
  return cells;
}

}  // namespace

TEST_CASE("cuda_fast's hardware path matches cpu_scalar on NaNs, infinities, subnormals and the "
          "overflow thresholds in every lane",
          "[cuda][convert][cuda_fast][hardware]") {
  std::vector<uint32_t> specials = {
      0x00000000u, 0x00000001u, 0x00000002u, 0x003fffffu, 0x00400000u, 0x00400001u,
      0x007fffffu, 0x00800000u, 0x00800001u,               // zero, fp32 subnormals, min normal
      0x7f800000u,                                         // infinity
      0x7f800001u, 0x7f800002u, 0x7f800100u, 0x7fa00000u,  // signaling NaNs, payloads
      0x7fbfffffu, 0x7fc00000u, 0x7fc00001u, 0x7fe00000u, 0x7fffffffu,  // quiet NaNs
      0x7f7fffffu, 0x7f000000u, 0x5f800000u, 0x4f800000u,  // FLT_MAX, huge finite values
      0x43e00000u, 0x43e7ffffu, 0x43e80000u, 0x43e80001u, 0x43efffffu, 0x43f00000u,
      0x43f00001u, 0x43f80000u, 0x44000000u,               // e4m3fn: 448, 464 (tie), 480...
      0x47600000u, 0x476fffffu, 0x47700000u, 0x47700001u, 0x477fffffu, 0x47800000u,
      0x47800001u,                                         // e5m2: 57344, 61440 (tie), 65536
      0x3a800000u, 0x3a800001u, 0x3b000000u, 0x3b400000u, 0x3bc00000u, 0x3c800000u,
      0x3c7fffffu,                                         // e4m3fn subnormal ties, min normal
      0x37000000u, 0x37000001u, 0x37800000u, 0x37c00000u, 0x38400000u, 0x38800000u,
      0x387fffffu,                                         // e5m2 subnormal ties, min normal
      0x3f800000u, 0x3f880000u, 0x3f980000u, 0x3fc00000u,  // 1, ties of 1's binade
  };
  const size_t base = specials.size();
  for (size_t i = 0; i < base; ++i) specials.push_back(specials[i] | 0x80000000u);
  // Each special in each lane of a vector of ordinary values, then all of them
  // packed four to a vector (NaN next to infinity next to overflow...).
  const uint32_t filler[4] = {0x3f800000u, 0xbe99999au, 0x43960000u, 0x00000000u};
  std::vector<uint32_t> in;
  for (uint32_t x : specials)
    for (int lane = 0; lane < 4; ++lane)
      for (int j = 0; j < 4; ++j) in.push_back(j == lane ? x : filler[j]);
  in.insert(in.end(), specials.begin(), specials.end());
  for (size_t i = 0; i < specials.size(); ++i) in.push_back(specials[(i * 7) % specials.size()]);
  while (in.size() % 4) in.push_back(0x3f800000u);
  for (const HwCell& c : hw_cells()) {
    INFO("fp32 -> " << c.name << " nearest_even overflow " << static_cast<int>(c.overflow)
                    << " codes only");
    const std::string report =
        compare(ConvertArgs{plumb::formats::fp32, c.to, RoundingSpec{Rounding::nearest_even, c.overflow, 0}},
                in.data(), in.size(), nullptr, false);
    INFO(report);
    CHECK(report.empty());
  }
}

TEST_CASE("cuda_fast's hardware path matches cpu_scalar on all 2^32 fp32 inputs",
          "[cuda][convert][cuda_fast][hardware][exhaustive]") {
  namespace kc = plumb::kernels::cuda;
  constexpr size_t kChunk = size_t{1} << 28;
  constexpr int kChunks = 16;
  const ConvertKernel& ref = kernel("cpu_scalar");
  std::vector<HwCell> cells = hw_cells();
  uint32_t* h_in = nullptr;
  uint8_t* h_got = nullptr;
  uint32_t* d_in = nullptr;
  uint8_t* d_out = nullptr;
  std::vector<uint8_t> want(kChunk);
  REQUIRE(cudaMallocHost(reinterpret_cast<void**>(&h_in), kChunk * 4) == cudaSuccess);
  REQUIRE(cudaMallocHost(reinterpret_cast<void**>(&h_got), kChunk) == cudaSuccess);
  REQUIRE(cudaMalloc(reinterpret_cast<void**>(&d_in), kChunk * 4) == cudaSuccess);
  REQUIRE(cudaMalloc(reinterpret_cast<void**>(&d_out), kChunk) == cudaSuccess);
  const auto t0 = std::chrono::steady_clock::now();
  std::string error;
  for (int chunk = 0; chunk < kChunks && error.empty(); ++chunk) {
    const uint32_t hi = static_cast<uint32_t>(chunk) << 28;
    parallel_for(kChunk, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) h_in[i] = hi | static_cast<uint32_t>(i);
    });
    if (cudaMemcpy(d_in, h_in, kChunk * 4, cudaMemcpyHostToDevice) != cudaSuccess) {
      error = "cudaMemcpy (inputs) failed";
      break;
    }
    for (HwCell& c : cells) {
      const ConvertArgs args{plumb::formats::fp32, c.to,
                             RoundingSpec{Rounding::nearest_even, c.overflow, 0}};
      // The device converts (and copies back) while the host runs cpu_scalar.
      cudaError_t e = cudaMemset(d_out, 0xa5, kChunk);
      if (e == cudaSuccess) e = kc::convert_fast_device(args, d_in, d_out, nullptr, kChunk, nullptr, nullptr);
      if (e == cudaSuccess) e = cudaMemcpyAsync(h_got, d_out, kChunk, cudaMemcpyDeviceToHost, nullptr);
      parallel_for(kChunk, [&](size_t b, size_t en) {
        std::string m;
        (void)ref.fn(args, h_in + b, want.data() + b, nullptr, en - b, nullptr, &m);
      });
      if (e == cudaSuccess) e = cudaDeviceSynchronize();
      if (e != cudaSuccess) {
        error = std::string("cuda_fast: ") + cudaGetErrorName(e) + ": " + cudaGetErrorString(e);
        break;
      }
      if (std::memcmp(h_got, want.data(), kChunk) == 0) continue;
      for (size_t i = 0; i < kChunk; ++i) {
        if (h_got[i] == want[i]) continue;
        if (c.bad++ < 8)
          c.shown += "\n  input " + hex(h_in[i]) + ": got " + hex(h_got[i]) + ", expected " +
                     hex(want[i]);
      }
    }
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("cuda_fast hardware path, all 2^32 fp32 inputs x %zu cells: %.1f s\n", cells.size(),
              sec);
  std::fflush(stdout);
  cudaFree(d_in);
  cudaFree(d_out);
  cudaFreeHost(h_in);
  cudaFreeHost(h_got);
  INFO(error);
  REQUIRE(error.empty());
  for (const HwCell& c : cells) {
    INFO("fp32 -> " << c.name << " nearest_even overflow " << static_cast<int>(c.overflow)
                    << " codes only: " << c.bad << " of 2^32 differ" << c.shown);
    CHECK(c.bad == 0);
  }
}
