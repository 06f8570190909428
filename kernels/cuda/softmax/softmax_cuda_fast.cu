// cuda softmax, the fast online paths (see the comment below and
// softmax_cuda_fast.cuh); softmax_cuda.cu's softmax_launch takes them for
// online with equal, vector-aligned input and output, else its
// row-per-block kernel.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "plumb/kernels/softmax_exp.hpp"
#include "softmax_cuda_fast.cuh"

namespace plumb::kernels::cuda {
namespace {

namespace cg = cooperative_groups;

constexpr int kFlush = 16;  // the error model's fp32_block, as in softmax_cuda.cu
constexpr float kInf = __builtin_huge_valf();

// ---------------------------------------------------------------------------
// Fast online paths (same arithmetic as online() in softmax_cuda.cu, laid out for
// bandwidth). Taken when input and output formats are equal, cols is a
// multiple of V = 16 / sizeof(input) and both pointers are 16-byte aligned;
// every other call takes the row-per-block kernel of softmax_cuda.cu.
//
// Lanes: the error model (registry: lanes 256, fp32_block 16, the layout of
// the row-per-block kernel of softmax_cuda.cu) puts element i on lane i % 256, each lane
// updated in order of i and flushed into fp64 every 16 of its elements, then
// rescaled once into the row max. The fast paths use finer lanes (each of the
// model's lanes split into interleaved shorter chains: fewer rescales per
// element, one merge each); that they stay inside the model's bound is
// measured by suites/cuda/softmax_cuda_test.cpp (sorted ascending rows, the
// online worst case, up to 262,144 columns), not proven.
//  - rows of <= 1024 columns (group path): one row per group of GW <= 32
//    threads (several rows per block), the row held in registers after one
//    16-byte-vector read. Each element is its own lane: its running max is
//    the element, and the merge into the row max is exp(x - max); so the sum
//    is the row max, then sum exp(x - max) in fp32 per thread (<= 16 terms)
//    flushed into fp64, reduced across the group.
//  - longer rows (block / cluster paths): thread t of G = 2048 / V threads
//    (G = 128 for rows of <= 1024 vectors)
//    reads vector q = (k C + b) G + t (b: the block's rank in a cluster of C
//    blocks, C = 1 for one block per row), and keeps V online lanes, one per
//    vector component: element i is on lane i % (G V C), updated in order of
//    i, flushed every 16. The row is read once: it is kept in shared memory
//    (64 KiB a block, 128 KiB where a cluster of 16 cannot be had) for the
//    output pass. Longer rows are split over a cluster of C <= 16 blocks on
//    different SMs that exchange their maxima, then their fp64 sums (each
//    lane rescaled once, into the row max), through distributed shared memory.
template <class T> struct IoOf;
template <> struct IoOf<float> {
  __device__ static float get(float v) { return v; }
  __device__ static float put(float v) { return v; }
};
template <> struct IoOf<__nv_bfloat16> {
  __device__ static float get(__nv_bfloat16 v) { return __bfloat162float(v); }
  __device__ static __nv_bfloat16 put(float v) { return __float2bfloat16_rn(v); }
};
template <> struct IoOf<__half> {
  __device__ static float get(__half v) { return __half2float(v); }
  __device__ static __half put(float v) { return __float2half_rn(v); }
};

template <class T>
__device__ __forceinline__ void unpack(const uint4& r, float (&x)[16 / sizeof(T)]) {
  constexpr int V = 16 / sizeof(T);
  T t[V];
  memcpy(t, &r, 16);
#pragma unroll
  for (int j = 0; j < V; ++j) x[j] = IoOf<T>::get(t[j]);
}
template <class T>
__device__ __forceinline__ uint4 pack(const float (&y)[16 / sizeof(T)]) {
  constexpr int V = 16 / sizeof(T);
  T t[V];
#pragma unroll
  for (int j = 0; j < V; ++j) t[j] = IoOf<T>::put(y[j]);
  uint4 r;
  memcpy(&r, t, 16);
  return r;
}

__device__ __forceinline__ uint4 ld_stream(const uint4* p) { return __ldcs(p); }  // read once
__device__ __forceinline__ void st_stream(uint4* p, const uint4& v) { __stcs(p, v); }

constexpr float kNaN = __builtin_nanf("");

// exp_np(d), bit for bit: the same split, with ldexpf replaced by exact
// power-of-two products (one rounding at most, in the subnormals, as ldexpf).
__device__ __forceinline__ float exp_fast(float d) {
  if (!(d >= -104.0f)) return d != d ? d : 0.0f;
  const auto e = softmax_exp::exp_split(d);
  const int n = static_cast<int>(e.n);  // -150 <= n <= 0 for d <= 0
  if (n >= -125) return e.m * __int_as_float((n + 127) << 23);
  return (e.m * __int_as_float((n + 64 + 127) << 23)) * 0x1p-64f;
}

// One row per group of GW threads, K vectors per thread in registers.
template <class T, int GW, int K>
__global__ void __launch_bounds__(256) online_group_kernel(const T* __restrict__ in, T* __restrict__ out,
                                                          size_t rows, int cols, bool safe) {
  constexpr int V = 16 / sizeof(T);
  const int g = threadIdx.x % GW;
  const size_t row = static_cast<size_t>(blockIdx.x) * (256 / GW) + threadIdx.x / GW;
  if (row >= rows) return;  // whole groups leave together
  const unsigned mask = GW == 32 ? 0xffffffffu : ((1u << GW) - 1) << ((threadIdx.x & 31) / GW * GW);
  const int nvec = cols / V;
  const uint4* p = reinterpret_cast<const uint4*>(in + row * cols);
  uint4* q = reinterpret_cast<uint4*>(out + row * cols);
  float x[K][V];
  uint4 r[K];
#pragma unroll
  for (int k = 0; k < K; ++k)
    if (g + k * GW < nvec) r[k] = ld_stream(p + g + k * GW);
  float m = -kInf;
  bool nan = false;
#pragma unroll
  for (int k = 0; k < K; ++k) {
    if (g + k * GW < nvec) {
      unpack<T>(r[k], x[k]);
    } else {
#pragma unroll
      for (int j = 0; j < V; ++j) x[k][j] = -kInf;
    }
#pragma unroll
    for (int j = 0; j < V; ++j) {
      nan |= x[k][j] != x[k][j];
      m = x[k][j] > m ? x[k][j] : m;
    }
  }
#pragma unroll
  for (int o = GW / 2; o > 0; o /= 2) m = fmaxf(m, __shfl_xor_sync(mask, m, o));
  const float max = __any_sync(mask, nan) ? kNaN : m;
  if (!isfinite(max)) {
    const float v = (safe && max == -kInf) ? 0.0f : kNaN;
    float y[V];
#pragma unroll
    for (int j = 0; j < V; ++j) y[j] = v;
#pragma unroll
    for (int k = 0; k < K; ++k)
      if (g + k * GW < nvec) st_stream(q + g + k * GW, pack<T>(y));
    return;
  }
  float s = 0;
  double total = 0;
  int c = 0;
#pragma unroll
  for (int k = 0; k < K; ++k)
#pragma unroll
    for (int j = 0; j < V; ++j) {
      x[k][j] = exp_fast(x[k][j] - max);  // padding: -inf gives 0; kept for the output
      s += x[k][j];
      if (++c == kFlush) total += s, s = 0, c = 0;
    }
  total += s;
#pragma unroll
  for (int o = GW / 2; o > 0; o /= 2) total += __shfl_xor_sync(mask, total, o);
  const float sf = static_cast<float>(total);
#pragma unroll
  for (int k = 0; k < K; ++k) {
    if (g + k * GW >= nvec) continue;
    float y[V];
#pragma unroll
    for (int j = 0; j < V; ++j) y[j] = x[k][j] / sf;
    st_stream(q + g + k * GW, pack<T>(y));
  }
}

constexpr int kLaneSpan = 2048;  // G * V for the block and cluster paths
constexpr int kUnroll = 4;       // vectors in flight per thread

// V online lanes in one thread (SOFTMAX_SEMANTICS.md, online; online() in softmax_cuda.cu).
template <int V>
struct Lanes {
  float m[V], s[V], dmax[V];
  double total[V];
  int c = 0;
  bool nan = false;
  __device__ Lanes() {
#pragma unroll
    for (int j = 0; j < V; ++j) m[j] = -kInf, s[j] = 0, dmax[j] = -kInf, total[j] = 0;
  }
  __device__ __forceinline__ void add(const float (&x)[V]) {
#pragma unroll
    for (int j = 0; j < V; ++j) {
      const float v = x[j];
      nan |= v != v;
      // online(): v > m: s exp(m - v) + 1; v = -inf <= m: adds 0 (never
      // -inf - (-inf)); else s + exp(v - m). One exp, no divergence.
      const bool grow = v > m[j];
      const float e = v == -kInf ? 0.0f : exp_fast(grow ? m[j] - v : v - m[j]);
      s[j] = grow ? fmaf(s[j], e, 1.0f) : s[j] + e;
      m[j] = grow ? v : m[j];
    }
    if (++c == kFlush) {
#pragma unroll
      for (int j = 0; j < V; ++j) {
        total[j] = (dmax[j] == -kInf ? 0.0 : total[j] * exp_fast(dmax[j] - m[j])) + s[j];
        dmax[j] = m[j], s[j] = 0;
      }
      c = 0;
    }
  }
  __device__ void finish() {
#pragma unroll
    for (int j = 0; j < V; ++j)
      if (m[j] != -kInf) total[j] = (dmax[j] == -kInf ? 0.0 : total[j] * exp_fast(dmax[j] - m[j])) + s[j];
  }
};

template <int NT>
__device__ float block_max_n(float v, float* sh) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  if ((threadIdx.x & 31) == 0) sh[threadIdx.x / 32] = v;
  __syncthreads();
  v = sh[0];
#pragma unroll
  for (int w = 1; w < NT / 32; ++w) v = fmaxf(v, sh[w]);
  __syncthreads();
  return v;
}
template <int NT>
__device__ double block_sum_n(double v, double* sh) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  if ((threadIdx.x & 31) == 0) sh[threadIdx.x / 32] = v;
  __syncthreads();
  v = 0;
#pragma unroll
  for (int w = 0; w < NT / 32; ++w) v += sh[w];
  __syncthreads();
  return v;
}

// One row per cluster of C blocks (C = 1: one block), cached in shared memory.
template <class T, int C, int G>
__global__ void __launch_bounds__(G, 2)
    online_block_kernel(const T* __restrict__ in, T* __restrict__ out, size_t cols, bool safe) {
  constexpr int V = 16 / sizeof(T);
  extern __shared__ uint4 cache[];
  __shared__ float shf[G / 32];
  __shared__ double shd[G / 32];
  __shared__ float cl_max;  // this block's max (NaN if it saw one): read by the cluster
  __shared__ double cl_sum;
  const int t = threadIdx.x;
  const unsigned b = C == 1 ? 0u : cg::this_cluster().block_rank();
  const size_t row = blockIdx.x / C;
  const size_t nvec = cols / V;
  const uint4* p = reinterpret_cast<const uint4*>(in + row * cols);
  uint4* q = reinterpret_cast<uint4*>(out + row * cols);
  // vector k of this thread: q = (k C + b) G + t; cache slot k G + t
  const size_t kn = (nvec + static_cast<size_t>(C) * G - 1) / (static_cast<size_t>(C) * G);
  auto at = [&](size_t k) { return (k * C + b) * G + t; };
  Lanes<V> L;
  size_t k = 0;
  for (; k + kUnroll <= kn; k += kUnroll) {
    uint4 r[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (at(k + u) < nvec) r[u] = ld_stream(p + at(k + u));
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      if (at(k + u) >= nvec) continue;
      cache[(k + u) * G + t] = r[u];
      float x[V];
      unpack<T>(r[u], x);
      L.add(x);
    }
  }
  for (; k < kn; ++k) {
    if (at(k) >= nvec) continue;
    const uint4 r = ld_stream(p + at(k));
    cache[k * G + t] = r;
    float x[V];
    unpack<T>(r, x);
    L.add(x);
  }
  L.finish();
  float m = -kInf;
#pragma unroll
  for (int j = 0; j < V; ++j) m = L.m[j] > m ? L.m[j] : m;
  float max = block_max_n<G>(m, shf);
  if (__syncthreads_or(L.nan)) max = kNaN;
  if constexpr (C > 1) {
    auto cluster = cg::this_cluster();
    if (t == 0) cl_max = max;
    cluster.sync();
    max = -kInf;
    bool nan = false;
    for (int r = 0; r < C; ++r) {
      const float v = *cluster.map_shared_rank(&cl_max, r);
      nan |= v != v;
      max = v > max ? v : max;
    }
    if (nan) max = kNaN;
  }
  double part = 0;
  if (isfinite(max)) {
#pragma unroll
    for (int j = 0; j < V; ++j)
      if (L.m[j] != -kInf) part += L.total[j] * exp_fast(L.m[j] - max);
  }
  double sum = block_sum_n<G>(part, shd);
  if constexpr (C > 1) {
    auto cluster = cg::this_cluster();
    if (t == 0) cl_sum = sum;
    cluster.sync();
    sum = 0;
    for (int r = 0; r < C; ++r) sum += *cluster.map_shared_rank(&cl_sum, r);
    cluster.sync();  // no block leaves while another reads its shared memory
  }
  float special = 0;
  bool is_special = false;
  if (!isfinite(max)) is_special = true, special = (safe && max == -kInf) ? 0.0f : kNaN;
  else if (sum != sum) is_special = true, special = kNaN;
  const float sf = static_cast<float>(sum);
  for (size_t kk = 0; kk < kn; ++kk) {
    if (at(kk) >= nvec) continue;
    float x[V], y[V];
    unpack<T>(cache[kk * G + t], x);
#pragma unroll
    for (int j = 0; j < V; ++j) y[j] = is_special ? special : exp_fast(x[j] - max) / sf;
    st_stream(q + at(kk), pack<T>(y));
  }
}

template <class T, int GW, int K>
cudaError_t launch_group(const void* in, void* out, size_t rows, size_t cols, bool safe, cudaStream_t st) {
  const size_t blocks = (rows + 256 / GW - 1) / (256 / GW);
  online_group_kernel<T, GW, K><<<static_cast<unsigned>(blocks), 256, 0, st>>>(
      static_cast<const T*>(in), static_cast<T*>(out), rows, static_cast<int>(cols), safe);
  return cudaGetLastError();
}

template <class T, int C, int G = kLaneSpan / (16 / sizeof(T))>
cudaError_t launch_block(const void* in, void* out, size_t rows, size_t cols, bool safe, cudaStream_t st) {
  constexpr int V = 16 / sizeof(T);
  const size_t nvec = cols / V;
  const size_t kn = (nvec + static_cast<size_t>(C) * G - 1) / (static_cast<size_t>(C) * G);
  const size_t smem = kn * G * 16;
  auto* kernel = online_block_kernel<T, C, G>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem));
  if (e == cudaSuccess && C > 8) e = cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
  if (e != cudaSuccess) return e;
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(static_cast<unsigned>(rows * C));
  cfg.blockDim = dim3(G);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = C, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = C > 1 ? 1 : 0;
  return cudaLaunchKernelEx(&cfg, kernel, static_cast<const T*>(in), static_cast<T*>(out), cols, safe);
}

constexpr size_t kCacheBytes = size_t{128} << 10;   // most a block caches
constexpr size_t kChunkBytes = size_t{64} << 10;    // what a split aims at

// -1: the fast paths do not take this call.
template <class T>
cudaError_t online_fast(const void* in, void* out, size_t rows, size_t cols, bool safe, cudaStream_t st) {
  constexpr int V = 16 / sizeof(T);
  const size_t nvec = cols / V;
  if (cols <= 1024) {
    if (nvec <= 4) return launch_group<T, 4, 1>(in, out, rows, cols, safe, st);
    if (nvec <= 8) return launch_group<T, 8, 1>(in, out, rows, cols, safe, st);
    if (nvec <= 16) return launch_group<T, 16, 1>(in, out, rows, cols, safe, st);
    if (nvec <= 32) return launch_group<T, 32, 1>(in, out, rows, cols, safe, st);
    if (nvec <= 64) return launch_group<T, 32, 2>(in, out, rows, cols, safe, st);
    if (nvec <= 128) return launch_group<T, 32, 4>(in, out, rows, cols, safe, st);
    return launch_group<T, 32, 8>(in, out, rows, cols, safe, st);
  }
  const size_t bytes = cols * sizeof(T);
  if (nvec <= 128 * 8) return launch_block<T, 1, 128>(in, out, rows, cols, safe, st);  // 8 vectors a thread
  if (bytes <= kChunkBytes) return launch_block<T, 1>(in, out, rows, cols, safe, st);
  if (bytes <= 2 * kChunkBytes) return launch_block<T, 2>(in, out, rows, cols, safe, st);
  if (bytes <= 4 * kChunkBytes) return launch_block<T, 4>(in, out, rows, cols, safe, st);
  if (bytes <= 8 * kChunkBytes) return launch_block<T, 8>(in, out, rows, cols, safe, st);
  if (bytes <= 16 * kChunkBytes) {  // a non-portable cluster of 16 (H100: yes), else 8 blocks of <= 128 KiB
    if (launch_block<T, 16>(in, out, rows, cols, safe, st) == cudaSuccess) return cudaSuccess;
    (void)cudaGetLastError();
  }
  if (bytes <= 8 * kCacheBytes) return launch_block<T, 8>(in, out, rows, cols, safe, st);
  return static_cast<cudaError_t>(-1);
}

}  // namespace

cudaError_t softmax_online_fast(SoftmaxIo io, const void* in, void* out, size_t rows, size_t cols, bool safe, cudaStream_t st) {
  const size_t v = io == SoftmaxIo::fp32 ? 4 : 8;
  if (cols % v != 0 || reinterpret_cast<uintptr_t>(in) % 16 != 0 || reinterpret_cast<uintptr_t>(out) % 16 != 0)
    return static_cast<cudaError_t>(-1);
  switch (io) {
    case SoftmaxIo::fp32: return online_fast<float>(in, out, rows, cols, safe, st);
    case SoftmaxIo::bf16: return online_fast<__nv_bfloat16>(in, out, rows, cols, safe, st);
    default: return online_fast<__half>(in, out, rows, cols, safe, st);
  }
}


}  // namespace plumb::kernels::cuda
