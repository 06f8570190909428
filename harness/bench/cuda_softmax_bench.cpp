// plumb_softmax_bench, CUDA part: the CUDA softmax kernels of the registry on
// device arrays, next to a device-to-device copy of the same bytes measured in
// the same run (the ceiling). 64M elements (256 MiB as fp32, 128 MiB as
// bf16: beyond the L2 of every GPU we use), rows of 128 to 262,144 columns.
// Each timed launch follows a 100 us spin kernel (gpu_spin.cu) so that the
// events time the kernel, not host launch work; manual time = event time.
//
// Names: cuda/copy/<fp32|bf16>, softmax/<kernel>/<fp32|bf16>/cols:<c>.
// Counters: items (elements) and bytes (read + written) per second (means);
// median_us, median_GBps and of_copy (the copy's median time over this one's,
// same run) from the per-iteration event times. Without a GPU every benchmark
// is skipped with the reason. kernels/peers/torch_softmax_bench.py times
// torch.softmax on the same shapes the same way and prints plumb/torch.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gpu_timed_loop.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/cuda_softmax.hpp"


namespace {

constexpr size_t kElements = size_t{1} << 26;

struct Device {
  bool made = false;
  std::string error;
  void* in32 = nullptr;
  void* in16 = nullptr;  // bf16 codes
  void* out = nullptr;   // fp32-sized: room for every output format
  plumb::bench::GpuTiming timing;
};

Device& device() {
  static Device d;
  if (d.made) return d;
  d.made = true;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    (void)cudaGetLastError();
    d.error = "no CUDA device";
    return d;
  }
  std::vector<float> x(kElements);
  std::vector<uint16_t> xb(kElements);
  std::mt19937 rng(12345);
  std::uniform_real_distribution<float> u(-20.0f, 20.0f);
  for (size_t i = 0; i < kElements; ++i) {
    x[i] = u(rng);
    uint32_t bits;
    std::memcpy(&bits, &x[i], 4);
    xb[i] = static_cast<uint16_t>(plumb::convert_code(plumb::formats::fp32, plumb::formats::bf16, bits, {}).code);
  }
  d.error = d.timing.make();
  if (!d.error.empty()) return d;
  cudaError_t e = cudaMalloc(&d.in32, kElements * 4);
  if (e == cudaSuccess) e = cudaMalloc(&d.in16, kElements * 2);
  if (e == cudaSuccess) e = cudaMalloc(&d.out, kElements * 4);
  if (e == cudaSuccess) e = cudaMemcpy(d.in32, x.data(), kElements * 4, cudaMemcpyHostToDevice);
  if (e == cudaSuccess) e = cudaMemcpy(d.in16, xb.data(), kElements * 2, cudaMemcpyHostToDevice);
  if (e != cudaSuccess) d.error = std::string("CUDA setup: ") + cudaGetErrorString(e);
  return d;
}

// Times one enqueued operation per iteration with events, after a spin.
std::map<size_t, double>& copy_median_us() {  // by bytes moved
  static std::map<size_t, double> m;
  return m;
}

template <class Launch>
void timed(benchmark::State& state, size_t elements, size_t bytes, Launch launch, bool is_copy = false) {
  Device& d = device();
  if (!d.error.empty()) return state.SkipWithError(d.error.c_str());
  const auto us = plumb::bench::gpu_timed_loop(state, d.timing, [&] { return plumb::bench::cuda_reason(launch(d)); });
  if (us.empty()) return;
  const double median_us = us[us.size() / 2];
  state.counters["median_GBps"] = static_cast<double>(bytes) / (median_us * 1e3);
  // The copy of the same bytes (registered first, same run): its median over this one's.
  double& copy_us = copy_median_us()[bytes];
  if (is_copy) copy_us = median_us;
  else if (copy_us > 0) state.counters["of_copy"] = copy_us / median_us;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * elements));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

}  // namespace

void plumb_softmax_bench_cuda_register() {
  using plumb::kernels::SoftmaxKernel;
  for (const bool bf16 : {false, true}) {
    const std::string io = bf16 ? "bf16" : "fp32";
    const size_t b = bf16 ? 2 : 4;
    benchmark::RegisterBenchmark(("cuda/copy/" + io).c_str(), [bf16, b](benchmark::State& s) {
      timed(s, kElements, 2 * kElements * b, [bf16, b](Device& d) {
        return cudaMemcpyAsync(d.out, bf16 ? d.in16 : d.in32, kElements * b, cudaMemcpyDeviceToDevice, d.timing.stream);
      }, true);
    })->UseManualTime()->Unit(benchmark::kMicrosecond);
    for (const auto& k : plumb::kernels::softmax_kernels()) {
      if (k.device != plumb::kernels::Device::cuda || k.planted_bug) continue;
      if (bf16 && k.model.algorithm == plumb::kernels::SoftmaxAlgorithm::three_pass_reload) continue;
      for (size_t cols : {size_t{128}, size_t{1024}, size_t{4096}, size_t{32768}, size_t{262144}}) {
        const SoftmaxKernel* kp = &k;
        benchmark::RegisterBenchmark(
            ("softmax/" + std::string(k.name) + "/" + io + "/cols:" + std::to_string(cols)).c_str(),
            [kp, bf16, b, cols](benchmark::State& s) {
              const auto f = bf16 ? plumb::formats::bf16 : plumb::formats::fp32;
              timed(s, kElements, 2 * kElements * b, [&](Device& d) {
                return plumb::kernels::cuda::softmax_launch(kp->model.algorithm, kp->safe, f, f,
                                                            bf16 ? d.in16 : d.in32, d.out,
                                                            kElements / cols, cols, d.timing.stream);
              });
            })
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}
