// plumb_softmax_bench: Google Benchmark timings of the CPU softmax kernels of
// the registry (kernels/registry/softmax.inc, planted bugs left out), in cache
// and out of cache, next to a memcpy of the same bytes measured in the same
// run (the ceiling). One thread. Run by hand (or by the report tooling):
//
//   plumb_softmax_bench [Google Benchmark flags, e.g. --benchmark_format=json]
//
// Data: uniform fp32 in [-20, 20] (seed 12345). In cache: 16,384 elements
// (64 KiB in + 64 KiB out, the same buffers every iteration). Out of cache:
// 4M elements per iteration, taken in turn from windows that cover 256 MiB of
// input, so the data comes from memory. Rows of 1,024, 16,384 and 262,144
// columns (rows = elements / cols).
//
// Names: memcpy/<in_cache|out_of_cache>, softmax/<kernel>/<in_cache|
// out_of_cache>/cols:<c>. Counters: items (elements) and bytes per second
// (bytes = 4 read + 4 written per element, whatever the algorithm re-reads).
// A kernel whose ISA this CPU lacks is skipped with the kernel's message.
// CUDA builds add the GPU kernels (cuda_softmax_bench.cpp).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "plumb/kernels/softmax_kernel.hpp"

#if defined(PLUMB_HAVE_CUDA)
void plumb_softmax_bench_cuda_register();  // cuda_softmax_bench.cpp
#endif

namespace {

constexpr size_t kInCache = 16384;
constexpr size_t kOutOfCache = size_t{4} << 20;
constexpr size_t kWindowBytes = size_t{256} << 20;

struct Buffers {
  size_t n = 0, windows = 1;
  std::vector<float> in, out;
};

Buffers& buffers(bool in_cache) {
  static Buffers b[2];
  Buffers& p = b[in_cache ? 1 : 0];
  if (p.n) return p;
  p.n = in_cache ? kInCache : kOutOfCache;
  p.windows = in_cache ? 1 : kWindowBytes / (p.n * sizeof(float));
  p.in.resize(p.n * p.windows);
  p.out.assign(p.n * p.windows, 0.0f);
  std::mt19937 rng(12345);
  std::uniform_real_distribution<float> u(-20.0f, 20.0f);
  for (auto& v : p.in) v = u(rng);
  return p;
}

void set_counters(benchmark::State& state, size_t n) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * 8));
  state.counters["elements"] = static_cast<double>(n);
}

void bench_memcpy(benchmark::State& state, bool in_cache) {
  Buffers& p = buffers(in_cache);
  size_t w = 0;
  for (auto _ : state) {
    std::memcpy(p.out.data() + w * p.n, p.in.data() + w * p.n, p.n * sizeof(float));
    benchmark::ClobberMemory();
    w = (w + 1) % p.windows;
  }
  set_counters(state, p.n);
}

void bench_softmax(benchmark::State& state, const plumb::kernels::SoftmaxKernel* k, bool in_cache,
                   size_t cols) {
  Buffers& p = buffers(in_cache);
  const size_t rows = p.n / cols;
  std::string message;
  size_t w = 0;
  for (auto _ : state) {
    const auto status = k->fn(plumb::formats::fp32, plumb::formats::fp32, p.in.data() + w * p.n,
                              p.out.data() + w * p.n, rows, cols, &message);
    if (status != plumb::kernels::KernelStatus::ok) {
      state.SkipWithError(message.empty() ? "kernel did not run" : message.c_str());
      break;
    }
    benchmark::ClobberMemory();
    w = (w + 1) % p.windows;
  }
  set_counters(state, rows * cols);
}

}  // namespace

int main(int argc, char** argv) {
  for (bool in_cache : {true, false}) {
    const std::string where = in_cache ? "in_cache" : "out_of_cache";
    benchmark::RegisterBenchmark(("memcpy/" + where).c_str(), bench_memcpy, in_cache)
        ->Unit(benchmark::kMicrosecond);
    for (const auto& k : plumb::kernels::softmax_kernels()) {
      if (k.device != plumb::kernels::Device::cpu || k.planted_bug) continue;
      for (size_t cols : {size_t{1024}, size_t{16384}, size_t{262144}}) {
        if (in_cache && cols > kInCache) continue;
        benchmark::RegisterBenchmark(
            ("softmax/" + std::string(k.name) + "/" + where + "/cols:" + std::to_string(cols)).c_str(),
            bench_softmax, &k, in_cache, cols)
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
#if defined(PLUMB_HAVE_CUDA)
  plumb_softmax_bench_cuda_register();
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("plumb_softmax_data", "uniform fp32 in [-20, 20], seed 12345");
  benchmark::AddCustomContext("plumb_cpu_avx2", __builtin_cpu_supports("avx2") ? "yes" : "no");
  benchmark::AddCustomContext("plumb_cpu_avx512f", __builtin_cpu_supports("avx512f") ? "yes" : "no");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
