// plumb_bench: Google Benchmark timings of the CPU conversion kernels of the
// registry (kernels/registry/convert.inc, planted bugs left out), next to a
// memcpy of the same input bytes (the ceiling). `plumb bench` runs this binary
// and turns its JSON into result records; it can also be run by hand:
//
//   plumb_bench [--plumb_elements=N] [--plumb_windows=W] [Google Benchmark flags]
//
// One thread. The input is Gaussian fp32 data (seed 12345), N elements per
// iteration (default 16M), taken in turn from W windows (default: enough for
// 256 MiB of input) so that the data comes from memory, not from the caches.
//
// Names: memcpy, and convert/<kernel>/fp32-><to>/<rounding>/<overflow>[/flags]
// (stochastic rounding is written stochastic_k<k>). Counters: items and bytes
// per second (bytes read + written: input, output, rbits, flags), and the
// plain per-iteration counts `elements` and `bytes`.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/convert_kernel.hpp"

#if defined(PLUMB_HAVE_CUDA)
// cuda_convert_bench.cpp: the GPU benchmarks (cuda/copy, convert/cuda_*).
bool plumb_bench_cuda_take_flag(const std::string& arg);
void plumb_bench_cuda_register();
std::string plumb_bench_cuda_context();
#endif

namespace {

using plumb::FormatDesc;
using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;

size_t g_elements = size_t{16} << 20;
size_t g_windows = 0;  // 0: derived from g_elements

const char* rounding_text(Rounding r) {
  switch (r) {
    case Rounding::nearest_even:
      return "nearest_even";
    case Rounding::nearest_away:
      return "nearest_away";
    case Rounding::toward_zero:
      return "toward_zero";
    case Rounding::upward:
      return "upward";
    case Rounding::downward:
      return "downward";
    case Rounding::odd:
      return "odd";
    case Rounding::stochastic:
      return "stochastic";
  }
  return "?";
}
const char* overflow_text(Overflow o) {
  switch (o) {
    case Overflow::saturate:
      return "saturate";
    case Overflow::infinity:
      return "infinity";
    case Overflow::nan:
      return "nan";
  }
  return "?";
}

// The data every benchmark reads, made on first use (listing allocates nothing).
struct Pool {
  size_t n = 0, windows = 0;
  std::vector<float> in;           // windows * n
  std::vector<uint32_t> rbits;     // windows * n, made on first stochastic use
  std::vector<unsigned char> out;  // windows * n * 4 bytes (widest output)
  std::vector<uint8_t> flags;      // windows * n, made on first use
};

Pool& pool() {
  static Pool p = [] {
    Pool q;
    q.n = g_elements;
    q.windows =
        g_windows ? g_windows : std::max<size_t>(1, ((size_t{256} << 20) / 4 + q.n - 1) / q.n);
    q.in.resize(q.windows * q.n);
    std::mt19937_64 rng(12345);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (size_t i = 0; i < q.n; ++i) q.in[i] = gauss(rng);
    for (size_t w = 1; w < q.windows; ++w)  // the same values, at other addresses
      std::memcpy(q.in.data() + w * q.n, q.in.data(), q.n * sizeof(float));
    q.out.assign(q.windows * q.n * 4, 0);  // touched now: no page faults while timed
    return q;
  }();
  return p;
}

const uint32_t* rbits_window(size_t w) {
  Pool& p = pool();
  if (p.rbits.empty()) {
    p.rbits.resize(p.windows * p.n);
    std::mt19937 rng(54321);
    for (auto& r : p.rbits) r = static_cast<uint32_t>(rng());
  }
  return p.rbits.data() + w * p.n;
}

uint8_t* flags_window(size_t w) {
  Pool& p = pool();
  if (p.flags.empty()) p.flags.assign(p.windows * p.n, 0);
  return p.flags.data() + w * p.n;
}

void set_counters(benchmark::State& state, size_t n, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["elements"] = static_cast<double>(n);
  state.counters["bytes"] = static_cast<double>(bytes);
}

void bench_memcpy(benchmark::State& state) {
  Pool& p = pool();
  size_t w = 0;
  for (auto _ : state) {
    std::memcpy(p.out.data() + w * p.n * 4, p.in.data() + w * p.n, p.n * sizeof(float));
    benchmark::ClobberMemory();
    w = (w + 1) % p.windows;
  }
  set_counters(state, p.n, 2 * p.n * sizeof(float));  // read + written
}

void bench_convert(benchmark::State& state, plumb::kernels::ConvertFn fn,
                   plumb::kernels::ConvertArgs args, bool with_flags) {
  Pool& p = pool();
  const bool stochastic = args.spec.rounding == Rounding::stochastic;
  const size_t out_bytes = static_cast<size_t>(args.to.storage_bytes());
  std::string message;
  size_t w = 0;
  for (auto _ : state) {
    const auto status = fn(args, p.in.data() + w * p.n, p.out.data() + w * p.n * out_bytes,
                           with_flags ? flags_window(w) : nullptr, p.n,
                           stochastic ? rbits_window(w) : nullptr, &message);
    if (status != plumb::kernels::KernelStatus::ok) {
      state.SkipWithError(message.empty() ? "kernel did not run" : message.c_str());
      break;
    }
    benchmark::ClobberMemory();
    w = (w + 1) % p.windows;
  }
  const size_t bytes = p.n * (4 + out_bytes + (stochastic ? 4 : 0) + (with_flags ? 1 : 0));
  set_counters(state, p.n, bytes);
}

std::string convert_name(const char* kernel, const FormatDesc& to, const RoundingSpec& spec,
                         bool with_flags) {
  std::string r = rounding_text(spec.rounding);
  if (spec.rounding == Rounding::stochastic) r += "_k" + std::to_string(spec.sr_bits);
  return std::string("convert/") + kernel + "/fp32->" + plumb::format_name(to) + "/" + r + "/" +
         overflow_text(spec.overflow) + (with_flags ? "/flags" : "");
}

void register_all() {
  benchmark::RegisterBenchmark("memcpy", bench_memcpy)->Unit(benchmark::kMillisecond);
  // Every named target of up to 16 bits, and tf32, in nearest_even / saturate.
  std::vector<FormatDesc> targets;
  for (const auto& nf : plumb::named_formats())
    if (nf.desc.bits() <= 16 || nf.desc == plumb::formats::tf32) targets.push_back(nf.desc);
  struct Config {
    FormatDesc to;
    RoundingSpec spec;
    bool flags;
  };
  std::vector<Config> configs;
  for (const auto& to : targets) configs.push_back({to, {}, false});
  // e4m3fn in every rounding mode and policy (stochastic with k = 8), and
  // nearest_even / saturate with flags.
  const FormatDesc e4m3 = plumb::formats::e4m3fn;
  for (int r = 0; r < plumb::kRoundingCount; ++r)
    for (int o = 0; o < plumb::kOverflowCount; ++o) {
      const RoundingSpec spec{
          static_cast<Rounding>(r), static_cast<Overflow>(o),
          static_cast<uint8_t>(r == static_cast<int>(Rounding::stochastic) ? 8 : 0)};
      if (r == 0 && o == 0) continue;  // already in the list above
      configs.push_back({e4m3, spec, false});
    }
  configs.push_back({e4m3, {}, true});
  for (const auto& c : configs)
    for (const auto& k : plumb::kernels::convert_kernels()) {
      if (k.device != plumb::kernels::Device::cpu || k.planted_bug) continue;
      const plumb::kernels::ConvertArgs args{plumb::formats::fp32, c.to, c.spec};
      benchmark::RegisterBenchmark(convert_name(k.name, c.to, c.spec, c.flags).c_str(),
                                   bench_convert, k.fn, args, c.flags)
          ->Unit(benchmark::kMillisecond);
    }
}

// Takes --plumb_elements=N / --plumb_windows=W out of argv.
bool take_own_flags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* prefix, size_t* dst) {
      const std::string p = std::string(prefix) + "=";
      if (a.rfind(p, 0) != 0) return false;
      char* end = nullptr;
      const unsigned long long v = std::strtoull(a.c_str() + p.size(), &end, 10);
      if (*end || v == 0) {
        std::fprintf(stderr, "plumb_bench: bad value in '%s' (a positive integer)\n", a.c_str());
        std::exit(2);
      }
      *dst = static_cast<size_t>(v);
      return true;
    };
    if (value("--plumb_elements", &g_elements) || value("--plumb_windows", &g_windows)) continue;
#if defined(PLUMB_HAVE_CUDA)
    if (plumb_bench_cuda_take_flag(a)) continue;
#endif
    argv[out++] = argv[i];
  }
  *argc = out;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  take_own_flags(&argc, argv);
  register_all();
#if defined(PLUMB_HAVE_CUDA)
  plumb_bench_cuda_register();
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("plumb_version", PLUMB_VERSION);
  benchmark::AddCustomContext("plumb_commit_at_configure", PLUMB_CONFIGURE_COMMIT);
  benchmark::AddCustomContext("plumb_build_type", PLUMB_BUILD_TYPE);
  benchmark::AddCustomContext("plumb_elements", std::to_string(g_elements));
  benchmark::AddCustomContext("plumb_windows", g_windows ? std::to_string(g_windows)
                                                         : std::string("auto (256 MiB of input)"));
  benchmark::AddCustomContext("plumb_data", "Gaussian fp32, mean 0, sd 1, seed 12345");
  benchmark::AddCustomContext("plumb_cpu_avx2", __builtin_cpu_supports("avx2") ? "yes" : "no");
#if defined(PLUMB_HAVE_CUDA)
  benchmark::AddCustomContext("plumb_cuda_data", plumb_bench_cuda_context());
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
