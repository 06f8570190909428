// Tuning study for cuda_fast on the GPU machine: times variants of the very
// same kernel (kernels/cuda/convert/convert_fast_kernel.cuh: threads per
// block, vectors per thread, cache hints, persistent grid or one block per
// tile) next to two ceilings measured in the same run: a device-to-device
// cudaMemcpyAsync of the fp32 input (8 bytes per element) and a "movement"
// kernel with cuda_fast's exact access pattern whose only work is to keep
// each fp32's low byte (5 bytes per element: the floor of any fp32 -> 8-bit
// conversion). Every variant's output is checked against the element function
// run on the host (convert_fast_element.hpp) on buffer 0, output poisoned first.
//
// With FAST_VARIANTS_HW set, instead: the hardware path of fp32 -> e4m3fn /
// e5m2 (convert4_hw) in several shapes, next to the movement kernel and the
// element function's path.
//
// Timing: one 100 us spin kernel before each start event (so host launch
// overhead is never inside the timed region: the same method as
// torch_convert_bench.py), CUDA events, median of R launches after 3 x B
// warm-up launches, rotating among B buffers of N Gaussian fp32 (seed 12345).
//
//   nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Iformats/include \
//        -Ikernels/cuda/convert tools/cuda_fast/fast_variants.cu -o fast_variants
//   fast_variants [N=67108864] [B=4] [R=100]
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "convert_fast_kernel.cuh"
#include "plumb/formats/format_desc.hpp"

using namespace plumb;
using namespace plumb::kernels::cuda::fast;

#define CK(x)                                                                            \
  do {                                                                                   \
    cudaError_t e_ = (x);                                                                \
    if (e_ != cudaSuccess) {                                                             \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(1);                                                                      \
    }                                                                                    \
  } while (0)

__global__ void spin_kernel(unsigned long long ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); while (t - t0 < ns);
}

// The access pattern of fast_kernel (Tuning T, one tile per block or
// persistent), with the low byte of each fp32 as the "code".
template <class T>
__global__ void __launch_bounds__(T::block)
    movement_kernel(const uint4* __restrict__ in, uint32_t* __restrict__ out, size_t nq) {
  constexpr int U = T::template unroll<Rounding::nearest_even, false>, B = T::block;
  const size_t stride = static_cast<size_t>(gridDim.x) * B * U;
  for (size_t base = static_cast<size_t>(blockIdx.x) * B * U + threadIdx.x; base < nq;
       base += stride) {
    uint4 u[U];
#pragma unroll
    for (int k = 0; k < U; ++k) {
      const size_t q = base + static_cast<size_t>(k) * B;
      u[k] = q < nq ? load16<T::load>(in + q) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int k = 0; k < U; ++k) {
      const size_t q = base + static_cast<size_t>(k) * B;
      if (q < nq) store4<T::store>(out + q, pack4(u[k].x, u[k].y, u[k].z, u[k].w));
    }
  }
}

struct Pool {
  size_t n = 0;
  std::vector<float*> in;
  std::vector<uint8_t*> out;
  float* copy_dst = nullptr;
  uint8_t* flags = nullptr;
  cudaStream_t s = nullptr;
  cudaEvent_t a = nullptr, b = nullptr;
  std::vector<uint32_t> host;  // buffer 0's bits
};

// Median seconds of R launches of fn(buffer), with or without the spin.
double time_median(Pool& p, int reps, bool spin, const std::function<void(size_t)>& fn) {
  const size_t nb = p.in.size();
  for (size_t i = 0; i < 3 * nb; ++i) fn(i % nb);
  CK(cudaStreamSynchronize(p.s));
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    if (spin) spin_kernel<<<1, 1, 0, p.s>>>(100000);
    CK(cudaEventRecord(p.a, p.s));
    fn((r + 1) % nb);
    CK(cudaEventRecord(p.b, p.s));
    CK(cudaEventSynchronize(p.b));
    float ms = 0;
    CK(cudaEventElapsedTime(&ms, p.a, p.b));
    t.push_back(ms * 1e-3);
  }
  CK(cudaGetLastError());
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <Rounding R, Map K>
size_t check(Pool& p, const Plan& plan) {
  std::vector<uint8_t> got(p.n);
  CK(cudaMemcpy(got.data(), p.out[0], p.n, cudaMemcpyDeviceToHost));
  size_t bad = 0;
  for (size_t i = 0; i < p.n; ++i) {
    uint32_t fl = 0;
    const uint32_t want = convert_element<R, false, K>(plan, p.host[i], 0, &fl);
    if (got[i] != static_cast<uint8_t>(want) && bad++ < 3)
      std::printf("  MISMATCH at %zu: in 0x%08x got 0x%02x want 0x%02x\n", i, p.host[i], got[i],
                  want);
  }
  return bad;
}

double g_copy = 0;  // cudaMemcpy seconds (the ceiling)

void row(const std::string& name, double sec, size_t bytes_per_elem, size_t n, double floor_s,
         const char* check) {
  const double gbs = static_cast<double>(bytes_per_elem * n) / sec / 1e9;
  const double copy_gbs = 8.0 * n / g_copy / 1e9;
  std::printf("%-44s %9.2f us %8.1f GB/s %6.3f of copy %6.3f of movement  %s\n", name.c_str(),
              sec * 1e6, gbs, gbs / copy_gbs, floor_s > 0 ? floor_s / sec : 0.0, check);
}

template <class T>
std::string hints() {
  const char* l = T::load == Load::cs ? " ld.cs" : T::load == Load::nc ? " ld.nc" : " ld";
  return std::string(l) + (T::store == Store::cs ? "/st.cs" : "/st");
}

// One variant: checked on buffer 0, then timed with inputs rotating and the
// outputs rotating too, or (reuse_out) one output buffer for every launch.
template <class T, Rounding R, Map K>
void variant(Pool& p, const char* fmt, const FormatDesc& to, bool persistent, int reps,
             double floor_s, bool reuse_out = false, bool also_nospin = false) {
  RoundingSpec spec{R, Overflow::saturate, 0};
  Plan plan;
  if (!make_plan(formats::fp32, to, spec, false, &plan) || plan.map != K) {
    std::printf("%s: plan map mismatch\n", fmt);
    return;
  }
  size_t resident = 0;
  if (persistent) {
    int per_sm = 0, dev = 0, sms = 0;
    CK(cudaGetDevice(&dev));
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, fast_kernel<T, R, false, K>,
                                                     T::block, 0));
    resident = static_cast<size_t>(sms) * per_sm;
  }
  CK(cudaMemset(p.out[0], 0xa5, p.n));
  CK((launch_fast<T, R, false, K>(plan, p.in[0], p.out[0], nullptr, p.n, nullptr, resident, p.s)));
  CK(cudaStreamSynchronize(p.s));
  const size_t bad = check<R, K>(p, plan);
  auto fn = [&](size_t w) {
    (void)launch_fast<T, R, false, K>(plan, p.in[w], p.out[reuse_out ? 0 : w], nullptr, p.n,
                                      nullptr, resident, p.s);
  };
  const std::string name = std::string(fmt) + " b" + std::to_string(T::block) + " u" +
                           std::to_string(T::template unroll<R, false>) +
                           hints<T>() +
                           (persistent ? " persistent" : " tiles") + (reuse_out ? " out1" : "");
  row(name, time_median(p, reps, true, fn), 5, p.n, floor_s, bad ? "WRONG" : "exact");
  if (also_nospin)
    row(name + " (no spin)", time_median(p, reps, false, fn), 5, p.n, floor_s, "-");
}

// The hardware path (convert_fast_kernel.cuh, convert4_hw: fp32 -> e4m3fn /
// e5m2, nearest_even, codes only) in tuning T, checked like variant().
template <class T, Hw H>
void variant_hw(Pool& p, const char* fmt, const FormatDesc& to, Overflow o, int reps,
                double floor_s) {
  constexpr auto NE = Rounding::nearest_even;
  const RoundingSpec spec{NE, o, 0};
  Plan plan;
  if (!make_plan(formats::fp32, to, spec, false, &plan) || plan.hw != H ||
      plan.map != Map::float_clamp) {
    std::printf("%s: plan hw/map mismatch\n", fmt);
    return;
  }
  auto fn = [&](size_t w) {
    (void)launch_fast<T, NE, false, Map::float_clamp, H>(plan, p.in[w], p.out[w], nullptr, p.n,
                                                         nullptr, 0, p.s);
  };
  CK(cudaMemset(p.out[0], 0xa5, p.n));
  fn(0);
  CK(cudaStreamSynchronize(p.s));
  const size_t bad = check<NE, Map::float_clamp>(p, plan);
  const std::string name = std::string(fmt) + " hw b" + std::to_string(T::block) + " u" +
                           std::to_string(T::template unroll<NE, false>) + hints<T>() + " tiles";
  row(name, time_median(p, reps, true, fn), 5, p.n, floor_s, bad ? "WRONG" : "exact");
}

template <class T>
double movement(Pool& p, bool persistent, int reps) {
  size_t blocks = fast_grid<T, Rounding::nearest_even, false>(p.n / 4, 0);
  if (persistent) {
    int per_sm = 0, sms = 0;
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, movement_kernel<T>, T::block, 0));
    blocks = std::min(blocks, static_cast<size_t>(sms) * per_sm);
  }
  const double s = time_median(p, reps, true, [&](size_t w) {
    movement_kernel<T><<<static_cast<unsigned>(blocks), T::block, 0, p.s>>>(
        reinterpret_cast<const uint4*>(p.in[w]), reinterpret_cast<uint32_t*>(p.out[w]), p.n / 4);
  });
  row(std::string("movement b") + std::to_string(T::block) + " u" +
          std::to_string(T::template unroll<Rounding::nearest_even, false>) + hints<T>() +
          (persistent ? " persistent" : " tiles"),
      s, 5, p.n, 0, "-");
  return s;
}

int main(int argc, char** argv) {
  Pool p;
  p.n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : size_t{64} << 20;
  const size_t nb = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 4;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 100;
  cudaDeviceProp prop{};
  CK(cudaGetDeviceProperties(&prop, 0));
  std::printf("fast_variants: %s, %d SMs, L2 %d MiB; %zu fp32 x %zu buffers, median of %d\n",
              prop.name, prop.multiProcessorCount, prop.l2CacheSize >> 20, p.n, nb, reps);
  std::vector<float> host(p.n);
  std::mt19937_64 rng(12345);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  for (auto& v : host) v = gauss(rng);
  p.host.resize(p.n);
  std::memcpy(p.host.data(), host.data(), p.n * 4);
  CK(cudaStreamCreateWithFlags(&p.s, cudaStreamNonBlocking));
  CK(cudaEventCreate(&p.a));
  CK(cudaEventCreate(&p.b));
  for (size_t i = 0; i < nb; ++i) {
    float* d = nullptr;
    uint8_t* o = nullptr;
    CK(cudaMalloc(&d, p.n * 4));
    CK(cudaMalloc(&o, p.n));
    CK(cudaMemcpy(d, host.data(), p.n * 4, cudaMemcpyHostToDevice));
    p.in.push_back(d);
    p.out.push_back(o);
  }
  CK(cudaMalloc(&p.copy_dst, p.n * 4));
  g_copy = time_median(p, reps, true, [&](size_t w) {
    CK(cudaMemcpyAsync(p.copy_dst, p.in[w], p.n * 4, cudaMemcpyDeviceToDevice, p.s));
  });
  row("cudaMemcpyAsync D2D (ceiling)", g_copy, 8, p.n, 0, "-");

  using T0 = Tuning<256, 4, Load::cs, Store::cs>;  // the tuning before this study
  using P = Tuning<256, 4, Load::plain, Store::plain>;
  const double mv = movement<P>(p, false, reps);
  movement<T0>(p, false, reps);
  movement<Tuning<128, 2, Load::plain, Store::plain>>(p, false, reps);

  constexpr auto NE = Rounding::nearest_even;
  constexpr auto FC = Map::float_clamp;
  const auto& e4 = formats::e4m3fn;
  if (std::getenv("FAST_VARIANTS_HW")) {  // the hardware path's study (h6)
    using P128x2 = Tuning<128, 2, Load::plain, Store::plain>;
    using P128x4 = Tuning<128, 4, Load::plain, Store::plain>;
    using P256x2 = Tuning<256, 2, Load::plain, Store::plain>;
    using P512x2 = Tuning<512, 2, Load::plain, Store::plain>;
    const double mv2 = movement<P128x2>(p, false, reps);
    movement<P128x4>(p, false, reps);
    constexpr auto sat = Overflow::saturate;
    for (int pass = 0; pass < 2; ++pass) {
      std::printf("-- hardware path, pass %d (of movement: b128 u2's)\n", pass + 1);
      variant_hw<P128x2, Hw::e4m3>(p, "e4m3fn", e4, sat, reps, mv2);
      variant_hw<P, Hw::e4m3>(p, "e4m3fn", e4, sat, reps, mv2);
      variant_hw<P128x4, Hw::e4m3>(p, "e4m3fn", e4, sat, reps, mv2);
      variant_hw<P256x2, Hw::e4m3>(p, "e4m3fn", e4, sat, reps, mv2);
      variant_hw<P512x2, Hw::e4m3>(p, "e4m3fn", e4, sat, reps, mv2);
      variant_hw<P128x2, Hw::e5m2>(p, "e5m2", formats::e5m2, sat, reps, mv2);
      variant_hw<P, Hw::e5m2>(p, "e5m2", formats::e5m2, sat, reps, mv2);
      variant<P, NE, FC>(p, "e4m3fn (element function)", e4, false, reps, mv2);
    }
    variant_hw<P128x2, Hw::e4m3>(p, "e4m3fn nan policy", e4, Overflow::nan, reps, mv2);
    return 0;
  }
  for (int pass = 0; pass < 2; ++pass) {
    std::printf("-- e4m3fn, pass %d, outputs rotating\n", pass + 1);
    variant<P, NE, FC>(p, "e4m3fn", e4, false, reps, mv, false, pass == 0);
    variant<T0, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    variant<Tuning<256, 4, Load::nc, Store::plain>, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    variant<Tuning<128, 2, Load::plain, Store::plain>, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    if (pass == 1) continue;
    variant<Tuning<256, 4, Load::plain, Store::cs>, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    variant<Tuning<128, 4, Load::plain, Store::plain>, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    variant<Tuning<256, 2, Load::plain, Store::plain>, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    variant<Tuning<256, 8, Load::plain, Store::plain>, NE, FC>(p, "e4m3fn", e4, false, reps, mv);
    variant<T0, NE, FC>(p, "e4m3fn", e4, true, reps, mv);
  }
  std::printf("-- one output buffer (as x.to(dtype))\n");
  variant<P, NE, FC>(p, "e4m3fn", e4, false, reps, mv, true);
  std::printf("-- other formats, outputs rotating\n");
  variant<P, NE, Map::e8m0>(p, "ue8m0", formats::ue8m0, false, reps, mv);
  variant<T0, NE, Map::e8m0>(p, "ue8m0", formats::ue8m0, false, reps, mv);
  variant<P, Rounding::upward, Map::e8m0>(p, "ue8m0 upward", formats::ue8m0, false, reps, mv);
  variant<P, NE, FC>(p, "e5m2", formats::e5m2, false, reps, mv);
  return 0;
}
