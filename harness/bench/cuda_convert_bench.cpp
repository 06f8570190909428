// plumb_bench, CUDA part (built only when PLUMB_HAVE_CUDA): device-resident
// timings of the GPU conversion kernels next to a device-to-device copy of the
// same input (the ceiling, measured in the same run).
//
//   plumb_bench [--plumb_cuda_elements=N] [--plumb_cuda_buffers=B] ...
//
// N fp32 elements per iteration (default 64M), taken in turn from B input
// buffers (default 4: 1 GiB of fp32, far beyond any L2), Gaussian data (seed
// 12345; the same values in every buffer, at other addresses). Timing: CUDA
// events around each launch (Google Benchmark's manual time), after 3 x B
// warm-up launches; before each start event a 100 us spin kernel
// (gpu_spin.cu) keeps the GPU busy while the host enqueues the launch, so the
// timed region holds GPU work only (torch_convert_bench.py does the same with
// torch.cuda._sleep). Besides Google Benchmark's mean, each benchmark reports
// the median of its launches as the counter seconds_median, which plumb bench
// prefers (the torch peer reports its median too). Before timing, every cuda_fast configuration is compared bit
// for bit (codes and flags) with cuda_plumb on buffer 0; a difference is an
// error of that benchmark.
//
// Names: cuda/copy, and convert/<cuda_fast|cuda_plumb>/fp32-><to>/<rounding>/
// <overflow>[/flags]. Counters as in convert_bench.cpp (bytes read + written;
// the copy counts 2 x 4 bytes per element). Without a GPU every benchmark is
// skipped with the error "no CUDA device".
#if defined(PLUMB_HAVE_CUDA)
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/cuda_convert.hpp"

cudaError_t plumb_bench_gpu_spin(cudaStream_t stream, unsigned long long ns);  // gpu_spin.cu

namespace plumb_bench_cuda {

using plumb::FormatDesc;
using plumb::Overflow;
using plumb::Rounding;
using plumb::RoundingSpec;
using plumb::kernels::ConvertArgs;

size_t g_elements = size_t{64} << 20;
size_t g_buffers = 4;

template <typename T>
cudaError_t dmalloc(T** p, size_t bytes) {
  return cudaMalloc(reinterpret_cast<void**>(p), bytes);
}

std::string err(const char* what, cudaError_t e) {
  return std::string(what) + ": " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e);
}

// Device data, made on first use. `error` is set when there is no GPU or an
// allocation failed; every benchmark then skips with it.
struct DevicePool {
  bool made = false;
  std::string error;
  size_t n = 0, buffers = 0;
  std::vector<float*> in;
  std::vector<uint32_t*> rbits;  // made on first stochastic use
  std::vector<uint8_t*> flags;   // made on first flags use
  std::vector<uint8_t*> out;
  float* copy_dst = nullptr;
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  std::string device_name;
};

DevicePool& pool() {
  static DevicePool p;
  if (p.made) return p;
  p.made = true;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    (void)cudaGetLastError();
    p.error = "no CUDA device";
    return p;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) p.device_name = prop.name;
  p.n = g_elements;
  p.buffers = g_buffers;
  std::vector<float> host(p.n);
  std::mt19937_64 rng(12345);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  for (auto& v : host) v = gauss(rng);
  cudaError_t e;
  if ((e = cudaStreamCreateWithFlags(&p.stream, cudaStreamNonBlocking)) != cudaSuccess ||
      (e = cudaEventCreate(&p.start)) != cudaSuccess ||
      (e = cudaEventCreate(&p.stop)) != cudaSuccess) {
    p.error = err("stream/event creation", e);
    return p;
  }
  for (size_t b = 0; b < p.buffers; ++b) {
    float* d_in = nullptr;
    uint8_t* d_out = nullptr;
    if ((e = dmalloc(&d_in, p.n * sizeof(float))) != cudaSuccess ||
        (e = dmalloc(&d_out, p.n)) != cudaSuccess) {
      p.error = err("cudaMalloc", e);
      return p;
    }
    p.in.push_back(d_in);
    p.out.push_back(d_out);
    if ((e = cudaMemcpy(d_in, host.data(), p.n * sizeof(float), cudaMemcpyHostToDevice)) !=
            cudaSuccess ||
        (e = cudaMemset(d_out, 0xa5, p.n)) != cudaSuccess) {
      p.error = err("cudaMemcpy", e);
      return p;
    }
  }
  if ((e = dmalloc(&p.copy_dst, p.n * sizeof(float))) != cudaSuccess ||
      (e = cudaMemset(p.copy_dst, 0, p.n * sizeof(float))) != cudaSuccess) {
    p.error = err("cudaMalloc(copy destination)", e);
    return p;
  }
  return p;
}

bool ensure_rbits(DevicePool& p, std::string* error) {
  if (!p.rbits.empty()) return true;
  std::vector<uint32_t> host(p.n);
  std::mt19937 rng(54321);
  for (auto& r : host) r = static_cast<uint32_t>(rng());
  for (size_t b = 0; b < p.buffers; ++b) {
    uint32_t* d = nullptr;
    cudaError_t e = dmalloc(&d, p.n * sizeof(uint32_t));
    if (e == cudaSuccess)
      e = cudaMemcpy(d, host.data(), p.n * sizeof(uint32_t), cudaMemcpyHostToDevice);
    if (e != cudaSuccess) {
      *error = err("rbits", e);
      return false;
    }
    p.rbits.push_back(d);
  }
  return true;
}

bool ensure_flags(DevicePool& p, std::string* error) {
  if (!p.flags.empty()) return true;
  for (size_t b = 0; b < p.buffers; ++b) {
    uint8_t* d = nullptr;
    cudaError_t e = dmalloc(&d, p.n);
    if (e == cudaSuccess) e = cudaMemset(d, 0x5a, p.n);
    if (e != cudaSuccess) {
      *error = err("flags", e);
      return false;
    }
    p.flags.push_back(d);
  }
  return true;
}

void set_counters(benchmark::State& state, size_t n, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["elements"] = static_cast<double>(n);
  state.counters["bytes"] = static_cast<double>(bytes);
}

constexpr unsigned long long kSpinNs = 100000;  // before each start event

// Times `launch(buffer)` with events, one launch per iteration, after 3 x B
// warm-up launches; sets the counter seconds_median (median of the launches).
template <typename Launch>
void timed_loop(benchmark::State& state, DevicePool& p, Launch&& launch) {
  cudaError_t e = cudaSuccess;
  for (size_t i = 0; i < 3 * p.buffers && e == cudaSuccess; ++i) e = launch(i % p.buffers);
  if (e == cudaSuccess) e = cudaStreamSynchronize(p.stream);
  if (e != cudaSuccess) {
    state.SkipWithError(err("warm-up", e).c_str());
    return;
  }
  std::vector<double> seconds;
  size_t w = 1 % p.buffers;
  for (auto _ : state) {
    e = plumb_bench_gpu_spin(p.stream, kSpinNs);
    if (e == cudaSuccess) e = cudaEventRecord(p.start, p.stream);
    if (e == cudaSuccess) e = launch(w);
    cudaEventRecord(p.stop, p.stream);
    if (e == cudaSuccess) e = cudaEventSynchronize(p.stop);
    float ms = 0;
    if (e == cudaSuccess) e = cudaEventElapsedTime(&ms, p.start, p.stop);
    if (e != cudaSuccess) {
      state.SkipWithError(err("timed launch", e).c_str());
      return;
    }
    state.SetIterationTime(static_cast<double>(ms) * 1e-3);
    seconds.push_back(static_cast<double>(ms) * 1e-3);
    w = (w + 1) % p.buffers;
  }
  if (!seconds.empty()) {
    std::nth_element(seconds.begin(), seconds.begin() + seconds.size() / 2, seconds.end());
    state.counters["seconds_median"] = seconds[seconds.size() / 2];
  }
}

void bench_copy(benchmark::State& state) {
  DevicePool& p = pool();
  if (!p.error.empty()) {
    state.SkipWithError(p.error.c_str());
    return;
  }
  timed_loop(state, p, [&](size_t w) {
    return cudaMemcpyAsync(p.copy_dst, p.in[w], p.n * sizeof(float), cudaMemcpyDeviceToDevice,
                           p.stream);
  });
  set_counters(state, p.n, 2 * p.n * sizeof(float));
}

// cuda_fast against cuda_plumb on buffer 0: "" when bit-exact.
std::string validate(DevicePool& p, const ConvertArgs& args, bool with_flags) {
  const bool sr = args.spec.rounding == Rounding::stochastic;
  const uint32_t* rb = sr ? p.rbits[0] : nullptr;
  uint8_t *d_ref = nullptr, *d_ref_fl = nullptr;
  cudaError_t e = dmalloc(&d_ref, p.n);
  if (e == cudaSuccess && with_flags) e = dmalloc(&d_ref_fl, p.n);
  if (e == cudaSuccess) e = cudaMemsetAsync(p.out[0], 0xa5, p.n, p.stream);
  if (e == cudaSuccess && with_flags) e = cudaMemsetAsync(p.flags[0], 0x5a, p.n, p.stream);
  if (e == cudaSuccess)
    e = plumb::kernels::cuda::convert_fast_device(args, p.in[0], p.out[0],
                                                  with_flags ? p.flags[0] : nullptr, p.n, rb,
                                                  p.stream);
  if (e == cudaSuccess)
    e = plumb::kernels::cuda::convert_device(args, p.in[0], d_ref, d_ref_fl, p.n, rb, p.stream);
  std::vector<uint8_t> a(p.n), b(p.n), fa, fb;
  if (e == cudaSuccess) e = cudaStreamSynchronize(p.stream);
  if (e == cudaSuccess) e = cudaMemcpy(a.data(), p.out[0], p.n, cudaMemcpyDeviceToHost);
  if (e == cudaSuccess) e = cudaMemcpy(b.data(), d_ref, p.n, cudaMemcpyDeviceToHost);
  if (e == cudaSuccess && with_flags) {
    fa.resize(p.n), fb.resize(p.n);
    e = cudaMemcpy(fa.data(), p.flags[0], p.n, cudaMemcpyDeviceToHost);
    if (e == cudaSuccess) e = cudaMemcpy(fb.data(), d_ref_fl, p.n, cudaMemcpyDeviceToHost);
  }
  cudaFree(d_ref);
  if (d_ref_fl) cudaFree(d_ref_fl);
  if (e != cudaSuccess) return err("validation", e);
  if (a != b) return "cuda_fast codes differ from cuda_plumb";
  if (fa != fb) return "cuda_fast flags differ from cuda_plumb";
  return "";
}

void bench_convert(benchmark::State& state, bool fast, ConvertArgs args, bool with_flags) {
  DevicePool& p = pool();
  if (!p.error.empty()) {
    state.SkipWithError(p.error.c_str());
    return;
  }
  const bool sr = args.spec.rounding == Rounding::stochastic;
  std::string error;
  if ((sr && !ensure_rbits(p, &error)) || (with_flags && !ensure_flags(p, &error))) {
    state.SkipWithError(error.c_str());
    return;
  }
  if (fast) {
    const std::string why = validate(p, args, with_flags);
    if (!why.empty()) {
      state.SkipWithError(why.c_str());
      return;
    }
  }
  timed_loop(state, p, [&](size_t w) {
    const uint32_t* rb = sr ? p.rbits[w] : nullptr;
    uint8_t* fl = with_flags ? p.flags[w] : nullptr;
    return fast ? plumb::kernels::cuda::convert_fast_device(args, p.in[w], p.out[w], fl, p.n, rb,
                                                            p.stream)
                : plumb::kernels::cuda::convert_device(args, p.in[w], p.out[w], fl, p.n, rb,
                                                       p.stream);
  });
  set_counters(state, p.n, p.n * (4 + 1 + (sr ? 4 : 0) + (with_flags ? 1 : 0)));
}

const char* rounding_text(Rounding r) {
  switch (r) {
    case Rounding::nearest_even: return "nearest_even";
    case Rounding::nearest_away: return "nearest_away";
    case Rounding::toward_zero: return "toward_zero";
    case Rounding::upward: return "upward";
    case Rounding::downward: return "downward";
    case Rounding::odd: return "odd";
    case Rounding::stochastic: return "stochastic";
  }
  return "?";
}
const char* overflow_text(Overflow o) {
  switch (o) {
    case Overflow::saturate: return "saturate";
    case Overflow::infinity: return "infinity";
    case Overflow::nan: return "nan";
  }
  return "?";
}

std::string name_of(const char* kernel, const FormatDesc& to, const RoundingSpec& spec,
                    bool with_flags) {
  std::string r = rounding_text(spec.rounding);
  if (spec.rounding == Rounding::stochastic) r += "_k" + std::to_string(spec.sr_bits);
  return std::string("convert/") + kernel + "/fp32->" + plumb::format_name(to) + "/" + r + "/" +
         overflow_text(spec.overflow) + (with_flags ? "/flags" : "");
}

}  // namespace plumb_bench_cuda

// Called from convert_bench.cpp's main: takes --plumb_cuda_elements=N and
// --plumb_cuda_buffers=B out of argv and registers the CUDA benchmarks.
bool plumb_bench_cuda_take_flag(const std::string& a) {
  using namespace plumb_bench_cuda;
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
  return value("--plumb_cuda_elements", &g_elements) || value("--plumb_cuda_buffers", &g_buffers);
}

void plumb_bench_cuda_register() {
  using namespace plumb_bench_cuda;
  namespace F = plumb::formats;
  benchmark::RegisterBenchmark("cuda/copy", bench_copy)->UseManualTime()->Unit(benchmark::kMicrosecond);
  struct Config {
    FormatDesc to;
    RoundingSpec spec;
    bool flags;
    bool generic;  // also time cuda_plumb
  };
  const RoundingSpec ne{};
  std::vector<Config> configs;
  const FormatDesc all8[] = {F::e4m3fn, F::e5m2,  F::e4m3fnuz, F::e5m2fnuz, F::e3m2fn,
                             F::e2m3fn, F::e2m1fn, F::ue8m0,   F::ue4m3,    F::int8,
                             F::int4,   F::uint8,  F::uint4};
  for (const auto& to : all8) configs.push_back({to, ne, false, to == F::e4m3fn || to == F::e5m2});
  for (int r = 1; r < plumb::kRoundingCount; ++r) {
    const RoundingSpec spec{static_cast<Rounding>(r), Overflow::saturate,
                            static_cast<uint8_t>(r == static_cast<int>(Rounding::stochastic) ? 8 : 0)};
    configs.push_back({F::e4m3fn, spec, false, spec.rounding == Rounding::stochastic});
  }
  configs.push_back({F::e4m3fn, {Rounding::nearest_even, Overflow::nan, 0}, false, false});
  configs.push_back({F::e5m2, {Rounding::nearest_even, Overflow::infinity, 0}, false, false});
  configs.push_back({F::e4m3fn, ne, true, true});
  for (const auto& c : configs) {
    const ConvertArgs args{F::fp32, c.to, c.spec};
    benchmark::RegisterBenchmark(name_of("cuda_fast", c.to, c.spec, c.flags).c_str(),
                                 bench_convert, true, args, c.flags)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
    if (c.generic)
      benchmark::RegisterBenchmark(name_of("cuda_plumb", c.to, c.spec, c.flags).c_str(),
                                   bench_convert, false, args, c.flags)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
  }
}

std::string plumb_bench_cuda_context() {
  using namespace plumb_bench_cuda;
  return std::to_string(g_elements) + " elements x " + std::to_string(g_buffers) + " buffers";
}
#endif  // PLUMB_HAVE_CUDA
