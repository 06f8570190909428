// The benchmark loop every GPU benchmark of plumb uses: before each timed
// launch a 100 us spin kernel (gpu_spin.cu) keeps the GPU busy, so that the
// host's launch work never falls inside the timed region; CUDA events around
// the launch give the iteration's (manual) time. Used by cuda_convert's
// neighbours cuda_softmax_bench.cpp, cuda_lmul_bench.cpp and cuda_gemm_bench.cpp.
#pragma once

#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

cudaError_t plumb_bench_gpu_spin(cudaStream_t stream, unsigned long long ns);

namespace plumb::bench {

constexpr unsigned long long kGpuSpinNs = 100000;

// One stream and its two events, made once per benchmark binary.
struct GpuTiming {
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  // "" or what failed.
  std::string make() {
    cudaError_t e = cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    if (e == cudaSuccess) e = cudaEventCreate(&start);
    if (e == cudaSuccess) e = cudaEventCreate(&stop);
    return e == cudaSuccess ? "" : std::string("CUDA setup: ") + cudaGetErrorString(e);
  }
};

// Runs state's iterations; `launch()` enqueues the work on t.stream and
// returns "" or the reason to skip the benchmark (the first failure ends it).
// Returns the iterations' times in microseconds, sorted (empty after a skip),
// and sets the counter median_us.
template <class Launch>
std::vector<double> gpu_timed_loop(benchmark::State& state, const GpuTiming& t, Launch launch) {
  std::vector<double> us;
  for (auto _ : state) {
    cudaError_t e = plumb_bench_gpu_spin(t.stream, kGpuSpinNs);
    if (e == cudaSuccess) e = cudaEventRecord(t.start, t.stream);
    if (e != cudaSuccess) {
      state.SkipWithError(cudaGetErrorString(e));
      return {};
    }
    if (const std::string why = launch(); !why.empty()) {
      state.SkipWithError(why.c_str());
      return {};
    }
    e = cudaEventRecord(t.stop, t.stream);
    if (e == cudaSuccess) e = cudaEventSynchronize(t.stop);
    float ms = 0;
    if (e == cudaSuccess) e = cudaEventElapsedTime(&ms, t.start, t.stop);
    if (e != cudaSuccess) {
      state.SkipWithError(cudaGetErrorString(e));
      return {};
    }
    state.SetIterationTime(static_cast<double>(ms) / 1000.0);
    us.push_back(1000.0 * ms);
  }
  std::sort(us.begin(), us.end());
  if (!us.empty()) state.counters["median_us"] = us[us.size() / 2];
  return us;
}

// A launch that returns a cudaError_t, as gpu_timed_loop wants it.
inline std::string cuda_reason(cudaError_t e) { return e == cudaSuccess ? "" : cudaGetErrorString(e); }

}  // namespace plumb::bench
