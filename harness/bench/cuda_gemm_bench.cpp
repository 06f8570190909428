// plumb_gemm_bench, CUDA part: every CUDA GEMM kernel of the registry
// (kernels/registry/gemm_cuda.inc, planted bugs left out) through its device
// `launch`, in every operand variant it takes (gemm_bench_operands.hpp),
// next to cuBLAS bf16 (the registry's cublas_bf16) on the same shape in the
// same run: the ceiling every ratio refers to.
//
// Shapes: M = N = K in 256 .. 16,384 (powers of two) and the decode shapes
// M in {1, 8, 16, 32, 64} x N = K in {4096, 8192, 16384}.
// Operands: seeded random codes (never zeros), copied to the device once per
// (variant, shape) in as many copies as it takes to exceed twice the L2, used
// in turn, so small operands come from memory, not from the L2.
// Timing: gpu_timed_loop.hpp (a GPU spin, then CUDA events around one launch).
// Names: gemm/<kernel>/<variant>/<M>x<N>x<K>. Counters: items = 2MNK flops,
// bytes = operands + C; median_us, tflops (2MNK / median) and of_cublas_bf16
// (cublas_bf16's median time on the shape over this row's: > 1 is faster).
// A kernel's variants it does not take are probed once on a small shape; the
// refusals within a kind it takes (or, for a kernel that takes nothing here,
// its block variants) are listed in one skipped row gemm/<kernel>/not_supported.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gemm_bench_operands.hpp"
#include "gpu_timed_loop.hpp"
#include "plumb/kernels/gemm_kernel.hpp"


namespace {

using plumb::bench::GemmHostOperands;
using plumb::bench::GemmVariant;
using plumb::kernels::GemmKernel;
using plumb::kernels::KernelStatus;

constexpr const char* kCeilingKernel = "cublas_bf16";

struct Gpu {
  bool made = false;
  std::string error;
  plumb::bench::GpuTiming timing;
  size_t l2_bytes = 0;
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
  cudaDeviceProp p{};
  if (const cudaError_t e = cudaGetDeviceProperties(&p, 0); e != cudaSuccess) {
    g.error = std::string("CUDA setup: ") + cudaGetErrorString(e);
    return g;
  }
  g.l2_bytes = static_cast<size_t>(p.l2CacheSize);
  g.error = g.timing.make();
  return g;
}

// One device copy of a host operand set; args() gives device pointers.
class DeviceOperands {
 public:
  explicit DeviceOperands(const GemmHostOperands& h) : host_(&h) {
    copy(h.a_f32, a_f32_), copy(h.b_f32, b_f32_), copy(h.a_i8, a_i8_), copy(h.b_i8, b_i8_);
    copy(h.a_u16, a_u16_), copy(h.b_u16, b_u16_), copy(h.a_elements, a_el_), copy(h.b_elements, b_el_);
    copy(h.a_scales, a_sc_), copy(h.b_scales, b_sc_);
    copy(h.a_block_scales, a_bs_), copy(h.b_block_scales, b_bs_);
  }
  ~DeviceOperands() {
    for (void* p : owned_) cudaFree(p);
  }
  DeviceOperands(const DeviceOperands&) = delete;
  DeviceOperands& operator=(const DeviceOperands&) = delete;
  const std::string& error() const { return error_; }

  plumb::kernels::GemmArgs args() const {
    auto a = host_->args();
    a.a_f32 = static_cast<const float*>(a_f32_), a.b_f32 = static_cast<const float*>(b_f32_);
    a.a_i8 = static_cast<const int8_t*>(a_i8_), a.b_i8 = static_cast<const int8_t*>(b_i8_);
    a.a_u16 = static_cast<const uint16_t*>(a_u16_), a.b_u16 = static_cast<const uint16_t*>(b_u16_);
    a.a_elements = static_cast<const uint8_t*>(a_el_), a.b_elements = static_cast<const uint8_t*>(b_el_);
    a.a_scales = static_cast<const uint8_t*>(a_sc_), a.b_scales = static_cast<const uint8_t*>(b_sc_);
    a.a_block_scales = static_cast<const float*>(a_bs_), a.b_block_scales = static_cast<const float*>(b_bs_);
    return a;
  }

 private:
  template <class T>
  void copy(const std::vector<T>& v, void*& d) {
    d = nullptr;
    if (v.empty() || !error_.empty()) return;
    cudaError_t e = cudaMalloc(&d, v.size() * sizeof(T));
    if (e == cudaSuccess) owned_.push_back(d), e = cudaMemcpy(d, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice);
    if (e != cudaSuccess) error_ = std::string("operand upload: ") + cudaGetErrorString(e);
  }
  const GemmHostOperands* host_;
  std::vector<void*> owned_;
  std::string error_;
  void *a_f32_, *b_f32_, *a_i8_, *b_i8_, *a_u16_, *b_u16_, *a_el_, *b_el_, *a_sc_, *b_sc_, *a_bs_, *b_bs_;
};

// The operands of the last (variant, shape) asked for, in rotation copies,
// and an output buffer.
struct Workload {
  std::string key;
  std::unique_ptr<GemmHostOperands> host;
  std::vector<std::unique_ptr<DeviceOperands>> copies;
  void* c = nullptr;
  std::string error;
  ~Workload() { cudaFree(c); }
};

Workload& workload(const GemmVariant& v, size_t m, size_t n, size_t k) {
  static Workload w;
  const std::string key = v.name + "/" + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  if (w.key == key) return w;
  w.copies.clear();
  cudaFree(w.c), w.c = nullptr, w.error.clear(), w.key = key;
  w.host = std::make_unique<GemmHostOperands>(plumb::bench::make_gemm_operands(v, m, n, k, 20261125));
  const size_t bytes = w.host->operand_bytes();
  const size_t want = std::max<size_t>(1, (2 * gpu().l2_bytes + bytes - 1) / std::max<size_t>(bytes, 1));
  const size_t copies = std::min<size_t>(want, std::max<size_t>(1, (size_t{8} << 30) / std::max<size_t>(bytes, 1)));
  for (size_t i = 0; i < copies && w.error.empty(); ++i) {
    w.copies.push_back(std::make_unique<DeviceOperands>(*w.host));
    w.error = w.copies.back()->error();
  }
  if (w.error.empty() && cudaMalloc(&w.c, m * n * 4) != cudaSuccess) w.error = "cudaMalloc of C failed";
  return w;
}

std::map<std::string, double>& ceiling_us() {  // by shape
  static std::map<std::string, double> m;
  return m;
}

void bench_gemm(benchmark::State& state, const GemmKernel* kernel, GemmVariant v, size_t m, size_t n, size_t k) {
  Gpu& g = gpu();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  Workload& w = workload(v, m, n, k);
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  size_t turn = 0;
  const auto us = plumb::bench::gpu_timed_loop(state, g.timing, [&]() -> std::string {
    const auto args = w.copies[turn++ % w.copies.size()]->args();
    std::string message;
    const KernelStatus s =
        kernel->launch(args, static_cast<float*>(w.c), static_cast<int32_t*>(w.c), g.timing.stream, &message);
    if (s == KernelStatus::ok) return "";
    return (s == KernelStatus::not_supported ? "not_supported: " : "kernel error: ") + message;
  });
  if (us.empty()) return;
  const double median_us = us[us.size() / 2];
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  state.counters["tflops"] = flops / (median_us * 1e6);
  const std::string shape = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  double& ceiling = ceiling_us()[shape];
  if (std::string(kernel->name) == kCeilingKernel && v.name == "bf16") ceiling = median_us;
  else if (ceiling > 0) state.counters["of_cublas_bf16"] = ceiling / median_us;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(flops));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (w.host->operand_bytes() + m * n * 4)));
}

// Which variants a kernel takes on this GPU: each probed on 128 x 128 x 256.
std::vector<std::pair<GemmVariant, std::string>> probe(const GemmKernel& kernel) {
  std::vector<std::pair<GemmVariant, std::string>> out;  // (variant, "" or the reason)
  for (const auto& v : plumb::bench::gemm_variants()) {
    Workload& w = workload(v, 128, 128, 256);
    std::string message;
    KernelStatus s = KernelStatus::error;
    if (w.error.empty()) {
      s = kernel.launch(w.copies[0]->args(), static_cast<float*>(w.c), static_cast<int32_t*>(w.c), gpu().timing.stream,
                        &message);
      if (cudaStreamSynchronize(gpu().timing.stream) != cudaSuccess && s == KernelStatus::ok) s = KernelStatus::error;
    } else {
      message = w.error;
    }
    out.emplace_back(v, s == KernelStatus::ok ? "" : (s == KernelStatus::not_supported ? "" : "error: ") +
                                                         (message.empty() ? "no message" : message));
  }
  return out;
}

}  // namespace

void plumb_gemm_bench_cuda_register(const std::vector<std::tuple<size_t, size_t, size_t>>& shapes) {
  if (!gpu().error.empty()) {
    benchmark::RegisterBenchmark("gemm/cuda", [](benchmark::State& s) { s.SkipWithError(gpu().error.c_str()); });
    return;
  }
  std::vector<std::pair<const GemmKernel*, std::vector<GemmVariant>>> runs;
  const GemmKernel* ceiling = nullptr;
  for (const auto& kernel : plumb::kernels::gemm_kernels()) {
    if (kernel.device != plumb::kernels::Device::cuda || kernel.planted_bug || !kernel.launch) continue;
    std::vector<GemmVariant> takes;
    const auto probed = probe(kernel);
    for (const auto& [v, reason] : probed)
      if (reason.empty()) takes.push_back(v);
    // Refusals worth recording: variants of a kind the kernel takes elsewhere
    // (a format, an fp8 pair), or, for a kernel that takes nothing on this GPU
    // (the Blackwell kernels on Hopper), its block variants.
    std::set<plumb::kernels::GemmKind> kinds;
    for (const auto& v : takes) kinds.insert(v.kind);
    std::string refused;
    for (const auto& [v, reason] : probed)
      if (!reason.empty() && (kinds.count(v.kind) || (kinds.empty() && v.kind == plumb::kernels::GemmKind::block)))
        refused += (refused.empty() ? "" : "; ") + v.name + ": " + reason;
    if (std::string(kernel.name) == kCeilingKernel) ceiling = &kernel;
    runs.emplace_back(&kernel, takes);
    if (!refused.empty()) {
      const std::string why = "not_supported: " + refused;
      benchmark::RegisterBenchmark(("gemm/" + std::string(kernel.name) + "/not_supported").c_str(),
                                   [why](benchmark::State& s) { s.SkipWithError(why.c_str()); });
    }
  }
  for (const auto& [m, n, k] : shapes) {
    const std::string shape = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
    // The ceiling first (every other row of the shape divides by its time),
    // then by variant, so that each variant's operands are made once.
    std::vector<std::pair<const GemmKernel*, GemmVariant>> order;
    for (const auto& variant : plumb::bench::gemm_variants())
      for (const auto& [kernel, takes] : runs)
        for (const auto& v : takes)
          if (v.name == variant.name) {
            const bool is_ceiling = kernel == ceiling && v.name == "bf16";
            order.insert(is_ceiling ? order.begin() : order.end(), {kernel, v});
          }
    for (const auto& [kernel, v] : order)
      benchmark::RegisterBenchmark(("gemm/" + std::string(kernel->name) + "/" + v.name + "/" + shape).c_str(),
                                   bench_gemm, kernel, v, m, n, k)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
  }
}
