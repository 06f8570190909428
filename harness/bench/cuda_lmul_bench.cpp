// plumb_lmul_bench, CUDA part: cuda_lmul on device arrays (cuda_lmul.hpp),
// next to a device-to-device copy moving the same bytes in the same run (the
// ceiling of the elementwise rows). Elementwise: 2^26 products per launch;
// GEMM: 2048 x 2048 x 2048, fp32 C. Operands: N(0,1) fp32 rounded to e8m<m>
// as for the CPU rows (lmul_bench.cpp), uploaded once.
// Timing: gpu_timed_loop.hpp (a GPU spin, then CUDA events around one launch).
// Names: cuda/copy/lmul, lmul/cuda_lmul/<elementwise|gemm>/e8m<m>/<carry>.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gpu_timed_loop.hpp"
#include "plumb/kernels/cuda_lmul.hpp"


namespace {

constexpr size_t kElements = size_t{1} << 26;
constexpr size_t kGemm = 2048;

struct Gpu {
  bool made = false;
  std::string error;
  void *a = nullptr, *b = nullptr, *out = nullptr;  // 4 bytes per element: room for every e8m<m>
  plumb::bench::GpuTiming timing;
};

Gpu& gpu() {
  static Gpu g;
  if (g.made) return g;
  g.made = true;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    (void)cudaGetLastError();
    g.error = "no CUDA device";
    return g;
  }
  g.error = g.timing.make();
  if (!g.error.empty()) return g;
  cudaError_t e = cudaSuccess;
  for (void** p : {&g.a, &g.b, &g.out})
    if (e == cudaSuccess) e = cudaMalloc(p, kElements * 4);
  if (e != cudaSuccess) g.error = std::string("CUDA setup: ") + cudaGetErrorString(e);
  return g;
}

// Uploads codes (elements x storage bytes) of both operands unless already there.
cudaError_t upload(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  static const void* last = nullptr;
  if (last == a.data()) return cudaSuccess;
  cudaError_t e = cudaMemcpy(gpu().a, a.data(), a.size(), cudaMemcpyHostToDevice);
  if (e == cudaSuccess) e = cudaMemcpy(gpu().b, b.data(), b.size(), cudaMemcpyHostToDevice);
  last = e == cudaSuccess ? a.data() : nullptr;
  return e;
}

template <class Launch>
void timed(benchmark::State& state, size_t elements, size_t bytes, Launch launch) {
  Gpu& g = gpu();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  if (plumb::bench::gpu_timed_loop(state, g.timing, [&] { return plumb::bench::cuda_reason(launch(g)); }).empty())
    return;
  state.counters["elements"] = static_cast<double>(elements);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * elements));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

}  // namespace

// Operand codes come from lmul_bench.cpp's generator (host, cached by (m, n)).
using LmulOperandsFn = void (*)(int m, size_t n, const std::vector<uint8_t>** a, const std::vector<uint8_t>** b);

void plumb_lmul_bench_cuda_register(LmulOperandsFn operands) {
  using plumb::kernels::LmulArgs;
  // The copy moves what an elementwise e8m7 launch moves: two 2-byte operands read, one written.
  benchmark::RegisterBenchmark("cuda/copy/lmul", [](benchmark::State& s) {
    const size_t half = 3 * kElements;  // bytes copied: read + written = 6 bytes per element
    timed(s, kElements, 2 * half, [half](Gpu& g) {
      return cudaMemcpyAsync(g.out, g.a, half, cudaMemcpyDeviceToDevice, g.timing.stream);
    });
  })->UseManualTime()->Unit(benchmark::kMicrosecond);
  for (const auto carry : {plumb::LmulCarry::paper, plumb::LmulCarry::int_add})
    for (int m : {3, 4, 7}) {
      const std::string tail = "/e8m" + std::to_string(m) + "/" + plumb::lmul_carry_name(carry);
      const LmulArgs args{plumb::float_format(8, m, plumb::Encoding::ieee), {carry}};
      const size_t sb = static_cast<size_t>(args.format.storage_bytes());
      benchmark::RegisterBenchmark(("lmul/cuda_lmul/elementwise" + tail).c_str(), [=](benchmark::State& s) {
        if (!gpu().error.empty()) return s.SkipWithError(gpu().error.c_str());
        const std::vector<uint8_t>*a, *b;
        operands(m, kElements, &a, &b);
        if (cudaError_t e = upload(*a, *b); e != cudaSuccess) return s.SkipWithError(cudaGetErrorString(e));
        timed(s, kElements, 3 * kElements * sb, [&](Gpu& g) {
          return plumb::kernels::cuda::lmul_elementwise_launch(args, g.a, g.b, g.out, kElements, g.timing.stream);
        });
      })->UseManualTime()->Unit(benchmark::kMicrosecond);
      if (carry != plumb::LmulCarry::paper || m == 3) continue;
      benchmark::RegisterBenchmark(("lmul/cuda_lmul/gemm" + tail).c_str(), [=](benchmark::State& s) {
        if (!gpu().error.empty()) return s.SkipWithError(gpu().error.c_str());
        const std::vector<uint8_t>*a, *b;
        operands(m, kGemm * kGemm, &a, &b);
        if (cudaError_t e = upload(*a, *b); e != cudaSuccess) return s.SkipWithError(cudaGetErrorString(e));
        timed(s, kGemm * kGemm * kGemm, kGemm * kGemm * (2 * sb + 4), [&](Gpu& g) {
          return plumb::kernels::cuda::lmul_gemm_launch(args, g.a, g.b, kGemm, kGemm, kGemm,
                                                        static_cast<float*>(g.out), g.timing.stream);
        });
      })->UseManualTime()->Unit(benchmark::kMicrosecond);
    }
}
