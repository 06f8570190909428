// cuda_plumb against cpu_scalar: every fp16 and every bf16 code, and ~1M
// seeded random fp32 bit patterns, into every named format, under every
// rounding mode (stochastic with k = 8 and seeded random bits) and every
// overflow policy. Codes and flags must agree bit for bit: both kernels call
// the same formats/ definition, so any difference is a CUDA-side bug (a device
// miscompile, a wrong launch, a lost element, a copy of the wrong width).
//
// Random inputs come from Catch's --rng-seed (default 0); every failure prints
// the seed and the first few counterexamples (input, got, expected).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/kernels/cuda_convert.hpp"

namespace {

using plumb::FormatDesc;
using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;
using plumb::kernels::ConvertArgs;
using plumb::kernels::ConvertKernel;
using plumb::kernels::KernelStatus;

constexpr int kShown = 5;       // counterexamples printed per failing combination
constexpr uint8_t kSrBits = 8;  // k of stochastic rounding in the sweeps

const char* const kRoundingNames[] = {"nearest_even", "nearest_away", "toward_zero", "upward",
                                      "downward",     "odd",          "stochastic"};
const char* const kOverflowNames[] = {"saturate", "infinity", "nan"};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string flag_names(uint8_t f) {
  static const char* const names[] = {"inexact", "underflow", "overflow", "invalid",
                                      "no_encoding"};
  std::string s;
  for (int b = 0; b < 5; ++b)
    if (f & (1u << b)) s += (s.empty() ? "" : "|") + std::string(names[b]);
  return s.empty() ? "-" : s;
}

std::string spec_name(const RoundingSpec& s) {
  std::string r = kRoundingNames[static_cast<int>(s.rounding)];
  if (s.rounding == Rounding::stochastic) r += "(k=" + std::to_string(s.sr_bits) + ")";
  return r + "/" + kOverflowNames[static_cast<int>(s.overflow)];
}

// Every rounding mode under every overflow policy.
std::vector<RoundingSpec> all_specs(uint8_t sr_bits) {
  std::vector<RoundingSpec> specs;
  for (int r = 0; r < plumb::kRoundingCount; ++r)
    for (int o = 0; o < plumb::kOverflowCount; ++o)
      specs.push_back({static_cast<Rounding>(r), static_cast<Overflow>(o), sr_bits});
  return specs;
}

const ConvertKernel& kernel(const char* name) {
  const ConvertKernel* k = plumb::kernels::find_convert_kernel(name);
  INFO("kernel " << name << " is not in the registry");
  REQUIRE(k != nullptr);
  return *k;
}

// Codes of one format, stored as kernels take them (storage_bytes() each).
struct Codes {
  FormatDesc format;
  size_t n = 0;
  std::vector<uint8_t> bytes;
  Codes(const FormatDesc& f, size_t count)
      : format(f), n(count), bytes(count * static_cast<size_t>(f.storage_bytes())) {}
  int width() const { return format.storage_bytes(); }
  uint64_t get(size_t i) const { return plumb::kernels::load_code(bytes.data(), width(), i); }
  void set(size_t i, uint64_t c) { plumb::kernels::store_code(bytes.data(), width(), i, c); }
};

// The CPU reference, split over the host's cores (the sweeps are ~400M
// conversions; cpu_scalar is reentrant).
KernelStatus run_cpu(const ConvertKernel& k, const ConvertArgs& args, const Codes& in, Codes& out,
                     uint8_t* flags, const uint32_t* rbits, std::string* message) {
  const size_t n = in.n;
  const unsigned threads =
      n < (size_t{1} << 15) ? 1u : std::clamp(std::thread::hardware_concurrency(), 1u, 32u);
  const size_t chunk = (n + threads - 1) / threads;
  std::vector<KernelStatus> status(threads, KernelStatus::ok);
  std::vector<std::string> messages(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    const size_t begin = std::min(n, t * chunk), count = std::min(chunk, n - begin);
    pool.emplace_back([&, t, begin, count] {
      status[t] = k.fn(args, in.bytes.data() + begin * in.width(),
                       out.bytes.data() + begin * out.width(), flags ? flags + begin : nullptr,
                       count, rbits ? rbits + begin : nullptr, &messages[t]);
    });
  }
  for (auto& th : pool) th.join();
  for (unsigned t = 0; t < threads; ++t) {
    if (status[t] != KernelStatus::ok) {
      *message = messages[t];
      return status[t];
    }
  }
  return KernelStatus::ok;
}

// Compares two results; empty when equal, else a report with counterexamples.
std::string differences(const Codes& in, const uint32_t* rbits, const Codes& got,
                        const std::vector<uint8_t>& got_flags, const Codes& want,
                        const std::vector<uint8_t>& want_flags) {
  size_t codes = 0, flags_only = 0;
  std::string shown;
  for (size_t i = 0; i < in.n; ++i) {
    const uint64_t g = got.get(i), w = want.get(i);
    if (g != w) ++codes;
    else if (got_flags[i] != want_flags[i]) ++flags_only;
    else continue;
    if (codes + flags_only <= kShown)
      shown += "\n  input " + hex(in.get(i)) + (rbits ? " rbits " + hex(rbits[i]) : "") +
               ": got " + hex(g) + " (" + flag_names(got_flags[i]) + "), expected " + hex(w) +
               " (" + flag_names(want_flags[i]) + ")";
  }
  if (codes + flags_only == 0) return {};
  return std::to_string(codes) + " code and " + std::to_string(flags_only) +
         " flag-only mismatches in " + std::to_string(in.n) + " cases; first ones:" + shown;
}

// Runs the kernel under test and the reference on one input array: both must
// succeed and agree on every code and flag (one Catch CHECK).
void compare_once(const ConvertKernel& gpu, const ConvertKernel& cpu, const ConvertArgs& args,
                  const Codes& in, const uint32_t* rbits, const std::string& what) {
  Codes got(args.to, in.n), want(args.to, in.n);
  std::vector<uint8_t> got_flags(in.n, 0xee), want_flags(in.n, 0xee);  // must be overwritten
  std::string gpu_message, cpu_message;
  const KernelStatus gs = gpu.fn(args, in.bytes.data(), got.bytes.data(), got_flags.data(), in.n,
                                 rbits, &gpu_message);
  const KernelStatus cs = run_cpu(cpu, args, in, want, want_flags.data(), rbits, &cpu_message);
  std::string context = what;
  if (!gpu_message.empty()) context += "\n" + std::string(gpu.name) + " says: " + gpu_message;
  if (!cpu_message.empty()) context += "\n" + std::string(cpu.name) + " says: " + cpu_message;
  INFO(context);
  REQUIRE(gs == KernelStatus::ok);
  REQUIRE(cs == KernelStatus::ok);
  const std::string report = differences(in, rbits, got, got_flags, want, want_flags);
  INFO(report);
  CHECK(report.empty());
}

// Every target format under every spec, for one input array.
void sweep(const std::string& from_name, const Codes& in, const std::vector<RoundingSpec>& specs,
           const std::vector<uint32_t>& random_bits) {
  const ConvertKernel& gpu = kernel("cuda_plumb");
  const ConvertKernel& cpu = kernel("cpu_scalar");
  REQUIRE(random_bits.size() == in.n);
  for (const auto& target : plumb::named_formats()) {
    for (const RoundingSpec& spec : specs) {
      const uint32_t* rbits = spec.rounding == Rounding::stochastic ? random_bits.data() : nullptr;
      compare_once(gpu, cpu, ConvertArgs{in.format, target.desc, spec}, in, rbits,
                   from_name + " -> " + target.name + " " + spec_name(spec));
    }
  }
}

std::vector<uint32_t> random_words(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> w(n);
  for (auto& x : w) x = static_cast<uint32_t>(rng());
  return w;
}

Codes every_code(const FormatDesc& f) {
  Codes c(f, size_t{1} << f.bits());
  for (size_t i = 0; i < c.n; ++i) c.set(i, i);
  return c;
}

// fp32 patterns: special values first, then half uniform bits, half with the
// exponent within 2^+-40 (where the narrow formats round, underflow and
// overflow), random sign and mantissa.
Codes random_fp32(size_t n, uint64_t seed) {
  static const uint32_t specials[] = {0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                      0xffc00001, 0x7f800001, 0xff800001, 0x00000001, 0x807fffff,
                                      0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0x43e80000,
                                      0x43e80001, 0xc3e80000, 0x47700000, 0x477ff000, 0x3f7fffff};
  Codes c(plumb::formats::fp32, n);
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    if (i < std::size(specials)) bits = specials[i];
    else if (i & 1) bits = (bits & 0x807fffffu) | ((87u + static_cast<uint32_t>(rng() % 81)) << 23);
    c.set(i, bits);
  }
  return c;
}

uint64_t seed_for(const char* salt) {
  uint64_t s = Catch::rngSeed();
  for (const char* p = salt; *p; ++p) s = s * 1099511628211ull + static_cast<unsigned char>(*p);
  return s;
}

}  // namespace

TEST_CASE("cuda_plumb matches cpu_scalar on every fp16 code", "[cuda][convert][fp16]") {
  const unsigned seed = Catch::rngSeed();
  CAPTURE(seed);
  const Codes in = every_code(plumb::formats::fp16);
  sweep("fp16", in, all_specs(kSrBits), random_words(in.n, seed_for("fp16")));
}

TEST_CASE("cuda_plumb matches cpu_scalar on every bf16 code", "[cuda][convert][bf16]") {
  const unsigned seed = Catch::rngSeed();
  CAPTURE(seed);
  const Codes in = every_code(plumb::formats::bf16);
  sweep("bf16", in, all_specs(kSrBits), random_words(in.n, seed_for("bf16")));
}

TEST_CASE("cuda_plumb matches cpu_scalar on random fp32 bit patterns", "[cuda][convert][fp32]") {
  const unsigned seed = Catch::rngSeed();
  CAPTURE(seed);
  const size_t n = size_t{1} << 20;
  const Codes in = random_fp32(n, seed_for("fp32"));
  sweep("fp32", in, all_specs(kSrBits), random_words(n, seed_for("fp32 rbits")));
}

TEST_CASE("cuda_plumb stochastic rounding matches cpu_scalar for k of 1 13 and 32",
          "[cuda][convert][stochastic]") {
  const unsigned seed = Catch::rngSeed();
  CAPTURE(seed);
  const Codes in = every_code(plumb::formats::fp16);
  const auto rbits = random_words(in.n, seed_for("stochastic k"));
  for (uint8_t k : {uint8_t{1}, uint8_t{13}, uint8_t{32}}) {
    std::vector<RoundingSpec> specs;
    for (int o = 0; o < plumb::kOverflowCount; ++o)
      specs.push_back({Rounding::stochastic, static_cast<Overflow>(o), k});
    sweep("fp16", in, specs, rbits);
  }
}

TEST_CASE("cuda_plumb handles sizes off the block size and grows its buffers",
          "[cuda][convert][sizes]") {
  const unsigned seed = Catch::rngSeed();
  CAPTURE(seed);
  const ConvertKernel& gpu = kernel("cuda_plumb");
  const ConvertKernel& cpu = kernel("cpu_scalar");
  // Small, large, then small again: the cached buffers only grow.
  for (size_t n : {size_t{1}, size_t{7}, size_t{255}, size_t{256}, size_t{257}, size_t{65537},
                   (size_t{1} << 22) + 3, size_t{1000}, size_t{3}}) {
    CAPTURE(n);
    const Codes in = random_fp32(n, seed_for("sizes") + n);
    const auto rbits = random_words(n, seed_for("sizes rbits") + n);
    for (const FormatDesc& to : {plumb::formats::e4m3fn, plumb::formats::fp16,
                                 plumb::formats::fp64, plumb::formats::e2m1fn}) {
      const ConvertArgs args{in.format, to, {Rounding::stochastic, Overflow::saturate, 8}};
      compare_once(gpu, cpu, args, in, rbits.data(),
                   "fp32 -> " + plumb::format_name(to) + " " + spec_name(args.spec));
    }
  }
  std::string msg;
  const ConvertArgs args{plumb::formats::fp32, plumb::formats::e4m3fn, {}};
  CHECK(gpu.fn(args, nullptr, nullptr, nullptr, 0, nullptr, &msg) == KernelStatus::ok);
}

TEST_CASE("cuda_plumb writes codes only when no flags are asked for", "[cuda][convert][flags]") {
  const Codes in = every_code(plumb::formats::fp16);
  const ConvertArgs args{in.format, plumb::formats::e5m2, {}};
  Codes got(args.to, in.n), want(args.to, in.n);
  std::vector<uint8_t> want_flags(in.n);
  std::string gpu_message, cpu_message;
  const KernelStatus gs = kernel("cuda_plumb").fn(args, in.bytes.data(), got.bytes.data(), nullptr,
                                                  in.n, nullptr, &gpu_message);
  const KernelStatus cs =
      run_cpu(kernel("cpu_scalar"), args, in, want, want_flags.data(), nullptr, &cpu_message);
  INFO("cuda_plumb: " << gpu_message << " cpu_scalar: " << cpu_message);
  REQUIRE(gs == KernelStatus::ok);
  REQUIRE(cs == KernelStatus::ok);
  CHECK(got.bytes == want.bytes);
}

#define REQUIRE_CUDA(call)                                                        \
  do {                                                                            \
    const cudaError_t e_ = (call);                                                \
    INFO(#call << ": " << cudaGetErrorName(e_) << ": " << cudaGetErrorString(e_)); \
    REQUIRE(e_ == cudaSuccess);                                                   \
  } while (0)

TEST_CASE("convert_device on a user stream matches cpu_scalar", "[cuda][convert][device]") {
  const unsigned seed = Catch::rngSeed();
  CAPTURE(seed);
  namespace kc = plumb::kernels::cuda;
  const size_t n = 100003;
  const Codes in = random_fp32(n, seed_for("device"));
  const auto rbits = random_words(n, seed_for("device rbits"));
  const ConvertArgs args{in.format, plumb::formats::e4m3fn, {Rounding::stochastic,
                                                             Overflow::infinity, 8}};
  void *d_in = nullptr, *d_out = nullptr;
  uint8_t* d_flags = nullptr;
  uint32_t* d_rbits = nullptr;
  cudaStream_t stream = nullptr;
  REQUIRE_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  REQUIRE_CUDA(cudaMalloc(&d_in, in.bytes.size()));
  REQUIRE_CUDA(cudaMalloc(&d_out, n));
  REQUIRE_CUDA(cudaMalloc(reinterpret_cast<void**>(&d_flags), n));
  REQUIRE_CUDA(cudaMalloc(reinterpret_cast<void**>(&d_rbits), n * sizeof(uint32_t)));
  REQUIRE_CUDA(cudaMemcpyAsync(d_in, in.bytes.data(), in.bytes.size(), cudaMemcpyHostToDevice,
                               stream));
  REQUIRE_CUDA(cudaMemcpyAsync(d_rbits, rbits.data(), n * sizeof(uint32_t),
                               cudaMemcpyHostToDevice, stream));
  REQUIRE_CUDA(kc::convert_device(args, d_in, d_out, d_flags, n, d_rbits, stream));
  Codes got(args.to, n), want(args.to, n);
  std::vector<uint8_t> got_flags(n), want_flags(n);
  REQUIRE_CUDA(cudaMemcpyAsync(got.bytes.data(), d_out, n, cudaMemcpyDeviceToHost, stream));
  REQUIRE_CUDA(cudaMemcpyAsync(got_flags.data(), d_flags, n, cudaMemcpyDeviceToHost, stream));
  REQUIRE_CUDA(cudaStreamSynchronize(stream));
  std::string msg;
  REQUIRE(run_cpu(kernel("cpu_scalar"), args, in, want, want_flags.data(), rbits.data(), &msg) ==
          KernelStatus::ok);
  const std::string report = differences(in, rbits.data(), got, got_flags, want, want_flags);
  INFO(report);
  CHECK(report.empty());

  const int grid = kc::convert_grid_size(n);
  CHECK(grid >= 1);
  CHECK(static_cast<size_t>(grid) <= (n + kc::kConvertBlockSize - 1) / kc::kConvertBlockSize);
  CHECK(kc::convert_grid_size(0) == 0);
  CHECK(kc::convert_device(args, d_in, d_out, d_flags, 0, d_rbits, stream) == cudaSuccess);
  CHECK(kc::convert_device(args, nullptr, d_out, d_flags, 5, d_rbits, stream) ==
        cudaErrorInvalidValue);
  CHECK(cudaFree(d_in) == cudaSuccess);
  CHECK(cudaFree(d_out) == cudaSuccess);
  CHECK(cudaFree(d_flags) == cudaSuccess);
  CHECK(cudaFree(d_rbits) == cudaSuccess);
  CHECK(cudaStreamDestroy(stream) == cudaSuccess);
}

TEST_CASE("cuda_plumb repeated calls on 65536 elements are cheap", "[cuda][convert][speed]") {
  const Codes in = every_code(plumb::formats::fp16);
  const ConvertArgs args{in.format, plumb::formats::e4m3fn, {}};
  Codes out(args.to, in.n);
  std::vector<uint8_t> flags(in.n);
  const ConvertKernel& gpu = kernel("cuda_plumb");
  std::string msg;
  REQUIRE(gpu.fn(args, in.bytes.data(), out.bytes.data(), flags.data(), in.n, nullptr, &msg) ==
          KernelStatus::ok);  // warm-up: buffers and stream
  const int calls = 2000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i)
    REQUIRE(gpu.fn(args, in.bytes.data(), out.bytes.data(), flags.data(), in.n, nullptr, &msg) ==
            KernelStatus::ok);
  const double us = std::chrono::duration<double, std::micro>(
                        std::chrono::steady_clock::now() - start).count() / calls;
  std::printf("cuda_plumb: %.1f us per call on 65536 fp16 codes (host copies included)\n", us);
  CHECK(us < 2000.0);  // generous bound; the printed figure is the measurement
}
