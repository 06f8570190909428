// Checks, on the GPU, the two shortcuts of the fast softmax paths
// (kernels/cuda/softmax/softmax_cuda_fast.cuh) against what they replace:
//  1. exp_normal(d) == exp_fast(d), bit for bit, for every fp32 d in [-86, 0];
//  2. Divider(b)(a) == a / b (IEEE, correctly rounded), bit for bit, on random
//     pairs from the ranges the kernels use (b in [2^-0.5, 2^20], a in
//     [0, 2], including quotients near 2^-90 and a = 0) and on all a in [1, 2)
//     for a few b with all-ones and near-one significands.
//   nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Ikernels/include \
//     -Iformats/include tools/cuda_softmax/fast_math_check.cu -o fast_math_check
//   ./fast_math_check [seed]     (prints the seed; exit 1 on any difference)
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../../kernels/cuda/softmax/softmax_cuda_fast.cuh"

using plumb::kernels::cuda::Divider;
using plumb::kernels::cuda::exp_fast;
using plumb::kernels::cuda::exp_normal;

__device__ unsigned long long g_bad[2];
__device__ unsigned g_first[2][2];

__device__ uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

__global__ void exp_check(uint32_t lo_bits, uint32_t hi_bits) {  // negative floats: bits ascend with |d|
  for (uint64_t b = lo_bits + blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; b <= hi_bits;
       b += uint64_t{gridDim.x} * blockDim.x) {
    const float d = __uint_as_float(static_cast<uint32_t>(b));
    if (__float_as_uint(exp_normal(d)) != __float_as_uint(exp_fast(d)))
      if (atomicAdd(&g_bad[0], 1ull) == 0) g_first[0][0] = static_cast<uint32_t>(b);
  }
}

__device__ void check_div(float a, float b) {
  const Divider div(b);
  const float got = div(a), want = __fdiv_rn(a, b);
  if (__float_as_uint(got) != __float_as_uint(want))
    if (atomicAdd(&g_bad[1], 1ull) == 0) g_first[1][0] = __float_as_uint(a), g_first[1][1] = __float_as_uint(b);
}

__global__ void div_random(uint64_t seed, uint64_t n) {
  for (uint64_t i = blockIdx.x * uint64_t{blockDim.x} + threadIdx.x; i < n; i += uint64_t{gridDim.x} * blockDim.x) {
    const uint64_t r = mix(seed ^ mix(i));
    // b: random significand, exponent in [-1, 20]; a: random significand, exponent in [-95, 1]
    const float b = __uint_as_float(((126u + static_cast<uint32_t>(r % 22)) << 23) | static_cast<uint32_t>((r >> 8) & 0x7fffff));
    const uint32_t ae = 32u + static_cast<uint32_t>((r >> 32) % 97);
    float a = __uint_as_float((ae << 23) | static_cast<uint32_t>((r >> 40) & 0x7fffff));
    if (a > 2.0f) a = 2.0f;
    if ((r & 0xffff) == 0) a = 0.0f;
    check_div(a, b);
  }
}

__global__ void div_all_a(float b) {  // every a in [1, 2)
  for (uint32_t m = blockIdx.x * blockDim.x + threadIdx.x; m < (1u << 23); m += gridDim.x * blockDim.x)
    check_div(__uint_as_float(0x3f800000u | m), b);
}

#define CHECK(x)                                                                            \
  do {                                                                                      \
    const cudaError_t e_ = (x);                                                             \
    if (e_ != cudaSuccess) {                                                                \
      std::fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e_));                         \
      return 2;                                                                             \
    }                                                                                       \
  } while (0)

int main(int argc, char** argv) {
  const uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
  std::printf("fast_math_check seed %llu\n", static_cast<unsigned long long>(seed));
  const float minus86 = -86.0f;
  uint32_t hi;
  std::memcpy(&hi, &minus86, 4);
  exp_check<<<1056, 256>>>(0x80000000u, hi);
  CHECK(cudaGetLastError());
  const uint64_t n = uint64_t{1} << 31;
  div_random<<<1056, 256>>>(seed, n);
  CHECK(cudaGetLastError());
  for (const float b : {1.0f, 1.99999988f, 1.5f, 3.0f, 1.00000012f, 262143.98f, 0.70710677f, 12345.678f})
    div_all_a<<<1056, 256>>>(b);
  CHECK(cudaGetLastError());
  CHECK(cudaDeviceSynchronize());
  unsigned long long bad[2];
  unsigned first[2][2];
  CHECK(cudaMemcpyFromSymbol(bad, g_bad, sizeof bad));
  CHECK(cudaMemcpyFromSymbol(first, g_first, sizeof first));
  std::printf("exp_normal vs exp_fast, all %u fp32 in [-86, 0]: %llu differ%s\n", hi - 0x80000000u + 1, bad[0],
              bad[0] ? "" : " (bit for bit)");
  if (bad[0]) std::printf("  first: d bits 0x%08x\n", first[0][0]);
  std::printf("Divider vs IEEE a / b, %llu random pairs + 8 x 2^23: %llu differ%s\n",
              static_cast<unsigned long long>(n), bad[1], bad[1] ? "" : " (bit for bit)");
  if (bad[1]) std::printf("  first: a bits 0x%08x b bits 0x%08x\n", first[1][0], first[1][1]);
  return bad[0] || bad[1] ? 1 : 0;
}
