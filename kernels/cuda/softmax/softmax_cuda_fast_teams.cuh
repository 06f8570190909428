// cuda softmax fast paths, the building blocks (softmax_cuda_fast_row.cuh
// and the kernels of softmax_cuda_fast.cu use them): the layout, I/O types,
// reductions and the row teams (lane group, block, cluster).
#pragma once

#include <cooperative_groups.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "plumb/kernels/softmax_exp.hpp"
#include "softmax_cuda_fast.cuh"

namespace plumb::kernels::cuda::softmax_fast_row {

namespace cg = cooperative_groups;

constexpr int kFlush = 16;  // the error model's fp32_block, as in softmax_cuda.cu
constexpr float kInf = __builtin_huge_valf();
constexpr float kNaN = __builtin_nanf("");

// ---------------------------------------------------------------------------
// Layout. Taken when input and output formats are equal, cols is a multiple
// of V = 16 / sizeof(T) and both pointers are 16-byte aligned. A row is read
// once into registers (K 16-byte vectors a thread, all loads issued before
// the first use) and written once; the passes of each algorithm run over the
// registers, so every algorithm moves the same bytes and they differ in
// arithmetic and in the number of row-wide reductions:
//  - rows of <= 32 K_max vectors (fp32 <= 1024 columns, 16-bit <= 1024): one
//    row per group of GW <= 32 lanes of a warp (256 / GW rows a block),
//    reductions by shuffles;
//  - longer rows: one row per block of NT <= 256 threads, or per cluster of
//    C <= 16 such blocks on different SMs (a long row split across SMs; 16
//    blocks of 512 for rows of more than 131,072 columns),
//    reductions by shuffles, shared memory, then distributed shared memory;
//    16-bit rows on clusters of 4 (16,385..32,768 columns): persistent
//    clusters that prefetch the next row into shared memory (stream_kernel).
// Vector q of the row is on thread q % S of the row's S threads (k = q / S).
// K_max = 32 / V: each thread holds at most 32 fp32 values.
//
// Arithmetic (SOFTMAX_SEMANTICS.md; the same operations as softmax_cuda.cu):
//  - three-pass recompute: row max; sum of exp(x - max); exp(x - max) / sum
//    (exp twice);
//  - three-pass reload (fp32 only) and online: row max; e = exp(x - max),
//    kept in registers and summed; e / sum (exp once). For online the row is
//    on chip before any exp, so each element is its own lane: its running max
//    is the element itself and the merge into the row max is exp(x - max),
//    the model's lanes (256) split finest; its bound is the model's with no
//    growth term, below the model's bound;
//  - two-pass: exp(x) = m 2^n summed as pairs relative to the thread's
//    largest n (that of its largest x, n being monotone in x), the threads'
//    (n, fp64 sum) pairs merged in ONE reduction (no max pass); m / sum
//    rescaled by 2^(n - top). Rows with NaN, +inf or |x| >= 2^22 take the
//    three-pass recompute arithmetic (the documented fallback).
// Sums: fp32 per thread over at most kFlush = 16 terms, then fp64 (A = 17),
// reductions in fp64.
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

// max that returns NaN if either operand is NaN (one instruction, sm_80+).
__device__ __forceinline__ float max_nan(float a, float b) {
  float r;
  asm("max.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
  return r;
}

// d 2^k for k <= 0 an integer-valued float, exactly (0 below 2^-1000: such a
// term is under 2^-1000 of the sum it joins).
__device__ __forceinline__ double scale2d(double d, float k) {
  if (k < -1000.0f) return 0.0;
  return d * __hiloint2double((static_cast<int>(k) + 1023) << 20, 0);
}

// The two-pass pair: sum d 2^n (n = -inf: empty). NaN n: the row leaves the
// two-pass domain.
struct Pair {
  float n;
  double d;
};
__device__ __forceinline__ Pair merge(const Pair& a, const Pair& b) {
  const float top = max_nan(a.n, b.n);
  if (!(top > -kInf)) return {top, 0.0};  // NaN, or both empty
  return {top, (a.n == -kInf ? 0.0 : scale2d(a.d, a.n - top)) + (b.n == -kInf ? 0.0 : scale2d(b.d, b.n - top))};
}

struct MaxOp {
  __device__ float operator()(float a, float b) const { return max_nan(a, b); }
};
struct SumOp {
  __device__ double operator()(double a, double b) const { return a + b; }
};
struct PairOp {
  __device__ Pair operator()(const Pair& a, const Pair& b) const { return merge(a, b); }
};

__device__ __forceinline__ float shfl_xor(unsigned mask, float v, int o) { return __shfl_xor_sync(mask, v, o); }
__device__ __forceinline__ double shfl_xor(unsigned mask, double v, int o) { return __shfl_xor_sync(mask, v, o); }
__device__ __forceinline__ Pair shfl_xor(unsigned mask, const Pair& v, int o) {
  return {__shfl_xor_sync(mask, v.n, o), __shfl_xor_sync(mask, v.d, o)};
}

// xor butterfly over W lanes: every lane gets the same value (each step
// combines the same two operands, op is commutative).
template <int W, class V, class Op>
__device__ __forceinline__ V lanes_reduce(V v, unsigned mask, Op op) {
#pragma unroll
  for (int o = W / 2; o > 0; o /= 2) v = op(v, shfl_xor(mask, v, o));
  return v;
}

// One row per GW lanes of a warp, 256 / GW rows a block.
template <int GW>
struct GroupTeam {
  static constexpr int kSize = GW;
  unsigned mask;
  __device__ GroupTeam() {
    mask = GW == 32 ? 0xffffffffu : ((1u << GW) - 1) << ((threadIdx.x & 31) / GW * GW);
  }
  __device__ size_t row() const { return static_cast<size_t>(blockIdx.x) * (256 / GW) + threadIdx.x / GW; }
  __device__ int rank() const { return threadIdx.x % GW; }
  template <class V, class Op>
  __device__ V reduce(V v, Op op, int) const {
    return lanes_reduce<GW>(v, mask, op);
  }
  __device__ void done() const {}
};

// One row per cluster of C blocks of NT threads (C = 1: one block). Loop: the
// cluster runs row after row (stream_kernel): the block slots alternate by
// row parity and no barrier ends a row (one at the end of the kernel).
template <int NT, int C, bool Loop = false>
struct ClusterTeam {
  static constexpr int kSize = NT * C;
  static constexpr int kWarps = NT / 32;
  Pair* warp_slots;  // kWarps
  Pair* block_slots;  // 3, one per reduction (Loop: 2 x 3): read by the cluster
  size_t loop_row = 0;  // Loop: the row
  int parity = 0;  // Loop: the row's parity
  __device__ size_t row() const { return Loop ? loop_row : blockIdx.x / C; }
  __device__ unsigned block() const { return C == 1 ? 0u : cg::this_cluster().block_rank(); }
  __device__ int rank() const { return static_cast<int>(block()) * NT + threadIdx.x; }
  template <class V, class Op>
  __device__ V reduce(V v, Op op, int slot) const {
    v = lanes_reduce<32>(v, 0xffffffffu, op);
    V* w = reinterpret_cast<V*>(warp_slots);
    if ((threadIdx.x & 31) == 0) w[threadIdx.x / 32] = v;
    __syncthreads();
    v = w[0];
#pragma unroll
    for (int i = 1; i < kWarps; ++i) v = op(v, w[i]);
    __syncthreads();  // warp_slots free for the next reduction
    if constexpr (C > 1) {
      auto cluster = cg::this_cluster();
      V* mine = reinterpret_cast<V*>(block_slots + (Loop ? 3 * parity : 0) + slot);
      if (threadIdx.x == 0) *mine = v;
      cluster.sync();
      v = *cluster.map_shared_rank(mine, 0);
#pragma unroll
      for (int r = 1; r < C; ++r) v = op(v, *cluster.map_shared_rank(mine, r));
    }
    return v;
  }
  // No block leaves while another may still read its shared memory. Loop: a
  // slot is written again two rows later, after a barrier of the row between
  // (every row has a reduction) that each reader reaches after its reads.
  __device__ void done() const {
    if constexpr (C > 1 && !Loop) cg::this_cluster().sync();
  }
};

}  // namespace plumb::kernels::cuda::softmax_fast_row
