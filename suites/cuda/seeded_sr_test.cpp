// cuda_plumb's seeded stochastic rounding (convert_plumb_seeded, and
// convert_device_seeded on device arrays): the GPU makes element i's bits as
// index_rbits(seed, i). The results must be bit-identical (codes and flags)
// to cpu_scalar given the host's words checks::case_rbits(seed, i), for k in
// {1, 8, 13, 32}, every overflow policy and several sources and targets; a
// seed must reproduce its run, and another seed must change it.
//
// Seeds derive from Catch's --rng-seed (printed at start); a failure prints
// the seed, the conversion and the first differing inputs with their bits.
#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"
#include "plumb/kernels/cuda_convert.hpp"
#include "plumb/kernels/sweep_rbits.hpp"

namespace {

using plumb::FormatDesc;
using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;
using plumb::kernels::ConvertArgs;
using plumb::kernels::KernelStatus;
namespace F = plumb::formats;
namespace kc = plumb::kernels::cuda;

// One run's output: codes (storage bytes) and flags.
struct Run {
  KernelStatus status = KernelStatus::error;
  std::string message;
  std::vector<uint8_t> codes, flags;
};

std::vector<uint8_t> store(const FormatDesc& f, const std::vector<uint64_t>& codes) {
  std::vector<uint8_t> bytes(codes.size() * f.storage_bytes());
  for (size_t i = 0; i < codes.size(); ++i) plumb::kernels::store_code(bytes.data(), f.storage_bytes(), i, codes[i]);
  return bytes;
}

Run run_seeded(const ConvertArgs& args, const std::vector<uint8_t>& in, size_t n, uint64_t seed) {
  Run r;
  r.codes.assign(n * args.to.storage_bytes(), 0xee);
  r.flags.assign(n, 0xee);  // must be overwritten
  r.status = kc::convert_plumb_seeded(args, in.data(), r.codes.data(), r.flags.data(), n, seed, &r.message);
  return r;
}

// cpu_scalar with the host's words for the seed, split across the host's cores.
Run run_cpu(const ConvertArgs& args, const std::vector<uint8_t>& in, size_t n, uint64_t seed) {
  const auto* cpu = plumb::kernels::find_convert_kernel("cpu_scalar");
  REQUIRE(cpu != nullptr);
  std::vector<uint32_t> rbits(n);
  for (size_t i = 0; i < n; ++i) rbits[i] = plumb::checks::case_rbits(seed, i);
  Run r;
  r.codes.assign(n * args.to.storage_bytes(), 0xee);
  r.flags.assign(n, 0xee);
  std::atomic<bool> failed{false};
  plumb::checks::parallel_for(n, 0, [&](size_t b, size_t e) {
    std::string message;
    const auto st = cpu->fn(args, in.data() + b * args.from.storage_bytes(),
                            r.codes.data() + b * args.to.storage_bytes(), r.flags.data() + b, e - b,
                            rbits.data() + b, &message);
    if (st != KernelStatus::ok) failed = true;
  });
  r.status = failed ? KernelStatus::error : KernelStatus::ok;
  return r;
}

// Empty when equal; else the count and the first differing elements.
std::string differences(const ConvertArgs& args, const std::vector<uint64_t>& inputs, const Run& got, const Run& want,
                        uint64_t seed) {
  size_t count = 0;
  std::string shown;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const uint64_t g = plumb::kernels::load_code(got.codes.data(), args.to.storage_bytes(), i);
    const uint64_t w = plumb::kernels::load_code(want.codes.data(), args.to.storage_bytes(), i);
    if (g == w && got.flags[i] == want.flags[i]) continue;
    if (++count <= 5)
      shown += "\n  element " + std::to_string(i) + " input " + plumb::checks::hex_code(inputs[i]) + " rbits " +
               plumb::checks::hex_code(plumb::checks::case_rbits(seed, i)) + ": got " + plumb::checks::hex_code(g) +
               " (" + plumb::checks::flags_to_string(got.flags[i]) + "), cpu_scalar " + plumb::checks::hex_code(w) +
               " (" + plumb::checks::flags_to_string(want.flags[i]) + ")";
  }
  return count ? std::to_string(count) + " of " + std::to_string(inputs.size()) + " elements differ:" + shown : "";
}

uint64_t seed_for(const char* salt) {
  uint64_t s = Catch::rngSeed();
  for (const char* p = salt; *p; ++p) s = s * 1099511628211ull + static_cast<unsigned char>(*p);
  return s;
}

// Random fp32 bit patterns, half of them with exponents in 2^+-40 (where the
// narrow formats round, underflow and overflow).
std::vector<uint64_t> fp32_inputs(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    if (i & 1) bits = (bits & 0x807fffffu) | ((87u + static_cast<uint32_t>(rng() % 81)) << 23);
    v[i] = bits;
  }
  return v;
}

}  // namespace

TEST_CASE("the device's seeded bits are the host's case_rbits", "[cuda][seeded][quick]") {
  const uint64_t seed = seed_for("bits");
  CAPTURE(seed);
  // index_rbits is what the device runs; case_rbits (suites/support) is an
  // independent implementation of the same stream, also past 2^32.
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, uint64_t{0xffffffff}, uint64_t{1} << 32,
                     (uint64_t{1} << 40) + 7, ~uint64_t{0} - 1}) {
    CAPTURE(i);
    CHECK(plumb::kernels::index_rbits(seed, i) == plumb::checks::case_rbits(seed, i));
  }
  CHECK(plumb::kernels::sweep_rbits(seed, 77u) == plumb::kernels::index_rbits(seed, 77));
}

TEST_CASE("seeded stochastic rounding on the GPU is bit-identical to cpu_scalar with the host's bits",
          "[cuda][seeded][stochastic]") {
  const uint64_t seed = seed_for("seeded sr");
  std::printf("seeded SR: seed %llu (from --rng-seed %u)\n", static_cast<unsigned long long>(seed), Catch::rngSeed());
  CAPTURE(seed);
  struct Source {
    FormatDesc format;
    std::vector<uint64_t> codes;
  };
  std::vector<uint64_t> fp16_codes(65536);
  for (size_t i = 0; i < fp16_codes.size(); ++i) fp16_codes[i] = i;
  const std::vector<Source> sources = {{F::fp32, fp32_inputs(size_t{1} << 18, seed_for("seeded fp32"))},
                                       {F::fp16, fp16_codes}};
  size_t runs = 0;
  for (const Source& src : sources) {
    const std::vector<uint8_t> in = store(src.format, src.codes);
    for (const FormatDesc& to : {F::e4m3fn, F::e5m2, F::e2m1fn, F::e3m2fn, F::ue8m0, F::bf16, F::int8})
      for (uint8_t k : {uint8_t{1}, uint8_t{8}, uint8_t{13}, uint8_t{32}})
        for (int o = 0; o < plumb::kOverflowCount; ++o) {
          if (to == src.format) continue;
          const ConvertArgs args{src.format, to, {Rounding::stochastic, static_cast<Overflow>(o), k}};
          const std::string what = plumb::format_name(src.format) + " -> " + plumb::format_name(to) +
                                   " stochastic(k=" + std::to_string(k) + ")/" +
                                   plumb::checks::overflow_name(args.spec.overflow);
          const Run gpu = run_seeded(args, in, src.codes.size(), seed);
          const Run cpu = run_cpu(args, in, src.codes.size(), seed);
          INFO(what << "\ncuda_plumb (seeded) says: " << gpu.message);
          REQUIRE(gpu.status == KernelStatus::ok);
          REQUIRE(cpu.status == KernelStatus::ok);
          const std::string report = differences(args, src.codes, gpu, cpu, seed);
          INFO(report);
          CHECK(report.empty());
          ++runs;
        }
  }
  std::printf("seeded SR: %zu conversions bit-identical to cpu_scalar\n", runs);
}

TEST_CASE("a seed reproduces its run and another seed changes it", "[cuda][seeded][stochastic]") {
  const uint64_t seed = seed_for("reproduce");
  CAPTURE(seed);
  const size_t n = size_t{1} << 20;
  // Values strictly between e4m3fn's 1 and 1.125 (1 + f/8, f in (0, 1) quanta:
  // random fp32 mantissa bits below e4m3fn's three), so every element has a choice.
  std::mt19937_64 rng(seed_for("reproduce inputs"));
  std::vector<uint64_t> codes(n);
  for (auto& c : codes) c = 0x3f800000u | (static_cast<uint32_t>(rng()) & 0x000fffffu) | 1u;
  const std::vector<uint8_t> in = store(F::fp32, codes);
  for (uint8_t k : {uint8_t{1}, uint8_t{8}, uint8_t{13}, uint8_t{32}}) {
    CAPTURE(static_cast<int>(k));
    const ConvertArgs args{F::fp32, F::e4m3fn, {Rounding::stochastic, Overflow::saturate, k}};
    const Run a = run_seeded(args, in, n, seed), b = run_seeded(args, in, n, seed);
    const Run c = run_seeded(args, in, n, seed + 1);
    INFO(a.message << b.message << c.message);
    REQUIRE(a.status == KernelStatus::ok);
    REQUIRE(b.status == KernelStatus::ok);
    REQUIRE(c.status == KernelStatus::ok);
    CHECK(a.codes == b.codes);
    CHECK(a.flags == b.flags);
    // Each element rounds up with probability p = floor(f 2^k) / 2^k; two
    // independent draws differ with probability 2p(1-p). For f uniform in
    // (0, 1) quanta that averages 1/3 (k = 8, 13, 32) or 1/4 (k = 1): a tenth
    // of n is many standard deviations below either.
    size_t differ = 0;
    for (size_t i = 0; i < n; ++i) differ += a.codes[i] != c.codes[i];
    std::printf("seeded SR k=%d: seeds %llu and %llu differ on %.1f%% of %zu elements\n", k,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed + 1),
                100.0 * static_cast<double>(differ) / static_cast<double>(n), n);
    CHECK(differ > n / 10);
  }
}

TEST_CASE("convert_device_seeded on a user stream matches convert_plumb_seeded", "[cuda][seeded][device]") {
  const uint64_t seed = seed_for("device seeded");
  CAPTURE(seed);
  const size_t n = 100003;  // not a multiple of the block size
  const std::vector<uint64_t> codes = fp32_inputs(n, seed_for("device seeded inputs"));
  const std::vector<uint8_t> in = store(F::fp32, codes);
  const ConvertArgs args{F::fp32, F::e5m2, {Rounding::stochastic, Overflow::infinity, 13}};
  const Run host = run_seeded(args, in, n, seed);
  REQUIRE(host.status == KernelStatus::ok);
  void *d_in = nullptr, *d_out = nullptr;
  uint8_t* d_flags = nullptr;
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) == cudaSuccess);
  REQUIRE(cudaMalloc(&d_in, in.size()) == cudaSuccess);
  REQUIRE(cudaMalloc(&d_out, n) == cudaSuccess);
  REQUIRE(cudaMalloc(reinterpret_cast<void**>(&d_flags), n) == cudaSuccess);
  REQUIRE(cudaMemcpyAsync(d_in, in.data(), in.size(), cudaMemcpyHostToDevice, stream) == cudaSuccess);
  REQUIRE(kc::convert_device_seeded(args, d_in, d_out, d_flags, n, seed, stream) == cudaSuccess);
  std::vector<uint8_t> out(n), flags(n);
  REQUIRE(cudaMemcpyAsync(out.data(), d_out, n, cudaMemcpyDeviceToHost, stream) == cudaSuccess);
  REQUIRE(cudaMemcpyAsync(flags.data(), d_flags, n, cudaMemcpyDeviceToHost, stream) == cudaSuccess);
  REQUIRE(cudaStreamSynchronize(stream) == cudaSuccess);
  CHECK(out == host.codes);
  CHECK(flags == host.flags);
  CHECK(kc::convert_device_seeded(args, nullptr, d_out, d_flags, 5, seed, stream) == cudaErrorInvalidValue);
  CHECK(kc::convert_device_seeded(args, d_in, d_out, d_flags, 0, seed, stream) == cudaSuccess);
  CHECK(cudaFree(d_in) == cudaSuccess);
  CHECK(cudaFree(d_out) == cudaSuccess);
  CHECK(cudaFree(d_flags) == cudaSuccess);
  CHECK(cudaStreamDestroy(stream) == cudaSuccess);
}
