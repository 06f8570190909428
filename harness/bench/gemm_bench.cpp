// plumb_gemm_bench: Google Benchmark timings of the GEMM kernels of the
// registry (kernels/registry/gemm*.inc, planted bugs left out) in every
// operand variant each takes (gemm_bench_operands.hpp). `plumb bench --gemm`
// runs it and records the rows (docs/RESULT_SCHEMA.md, "GEMM rows").
//
//   plumb_gemm_bench [--shapes=all|quick] [Google Benchmark flags]
//
// CPU kernels (one thread, host arrays, wall time): M = N = K in {256, 512}
// and the decode shapes M in {1, 16} x N = K = 4096; they are reference-grade
// loops, timed so the report can place them, not tuned.
// CUDA kernels (cuda_gemm_bench.cpp): M = N = K = 256 .. 16,384 and the decode
// shapes M in {1, 8, 16, 32, 64} x N = K in {4096, 8192, 16384}, next to cuBLAS
// bf16 on the same shape in the same run; --shapes=quick keeps 1,024, 8,192
// and the decode shapes with N = K = 4096 and 8192.
// Names: gemm/<kernel>/<variant>/<M>x<N>x<K>; counters median_us, tflops
// (2MNK / median time) and, for CUDA rows, of_cublas_bf16.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "gemm_bench_operands.hpp"
#include "plumb/kernels/gemm_kernel.hpp"

#if defined(PLUMB_HAVE_CUDA)
void plumb_gemm_bench_cuda_register(const std::vector<std::tuple<size_t, size_t, size_t>>& shapes);
#endif

namespace {

using plumb::bench::GemmHostOperands;
using plumb::bench::GemmVariant;
using plumb::kernels::GemmKernel;
using plumb::kernels::KernelStatus;
using Shape = std::tuple<size_t, size_t, size_t>;

std::vector<Shape> square_and_decode(const std::vector<size_t>& square, const std::vector<size_t>& decode_m,
                                     const std::vector<size_t>& decode_nk) {
  std::vector<Shape> s;
  for (size_t d : square) s.emplace_back(d, d, d);
  for (size_t nk : decode_nk)
    for (size_t m : decode_m) s.emplace_back(m, nk, nk);
  return s;
}

void bench_cpu_gemm(benchmark::State& state, const GemmKernel* kernel, const GemmVariant& v, size_t m, size_t n,
                    size_t k) {
  const GemmHostOperands ops = plumb::bench::make_gemm_operands(v, m, n, k, 20261125);
  std::vector<float> c(m * n);
  std::vector<int32_t> ci(m * n);
  std::vector<double> times;
  for (auto _ : state) {
    std::string message;
    const auto t0 = std::chrono::steady_clock::now();
    const KernelStatus s = kernel->fn(ops.args(), c.data(), ci.data(), &message);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s != KernelStatus::ok) return state.SkipWithError(("kernel error: " + message).c_str());
    state.SetIterationTime(sec);
    times.push_back(sec);
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  state.counters["median_us"] = median * 1e6;
  state.counters["tflops"] = flops / median * 1e-12;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(flops));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (ops.operand_bytes() + m * n * 4)));
}

// The variants a CPU kernel takes: probed on a small shape.
std::vector<GemmVariant> cpu_variants(const GemmKernel& kernel) {
  std::vector<GemmVariant> takes;
  for (const auto& v : plumb::bench::gemm_variants()) {
    const GemmHostOperands ops = plumb::bench::make_gemm_operands(v, 4, 4, 64, 1);
    std::vector<float> c(16);
    std::vector<int32_t> ci(16);
    std::string message;
    if (kernel.fn(ops.args(), c.data(), ci.data(), &message) == KernelStatus::ok) takes.push_back(v);
  }
  return takes;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--shapes=quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--shapes=all") != 0) rest.push_back(argv[i]);
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  for (const auto& kernel : plumb::kernels::gemm_kernels()) {
    if (kernel.device != plumb::kernels::Device::cpu || kernel.planted_bug) continue;
    const auto takes = cpu_variants(kernel);
    for (const auto& [m, n, k] : square_and_decode({256, 512}, {1, 16}, {4096}))
      for (const auto& v : takes)
        benchmark::RegisterBenchmark(("gemm/" + std::string(kernel.name) + "/" + v.name + "/" + std::to_string(m) +
                                      "x" + std::to_string(n) + "x" + std::to_string(k))
                                         .c_str(),
                                     bench_cpu_gemm, &kernel, v, m, n, k)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
  }
#if defined(PLUMB_HAVE_CUDA)
  plumb_gemm_bench_cuda_register(quick ? square_and_decode({1024, 8192}, {1, 8, 16, 32, 64}, {4096, 8192})
                                       : square_and_decode({256, 512, 1024, 2048, 4096, 8192, 16384},
                                                           {1, 8, 16, 32, 64}, {4096, 8192, 16384}));
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
