// cuda softmax, the fast paths for every algorithm (see the comment below and
// softmax_cuda_fast.cuh); softmax_cuda.cu's softmax_launch takes them when
// input and output formats are equal and the rows are vector-aligned, else
// its row-per-block kernel.
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

// The fill of a row whose max is not finite (or whose sum is NaN).
template <class T, int K, class Team>
__device__ void fill_row(const Team& team, uint4* q, size_t nvec, float v) {
  constexpr int V = 16 / sizeof(T);
  float y[V];
#pragma unroll
  for (int j = 0; j < V; ++j) y[j] = v;
  const uint4 r = pack<T>(y);
#pragma unroll
  for (int k = 0; k < K; ++k) {
    const size_t at = static_cast<size_t>(k) * Team::kSize + team.rank();
    if (at < nvec) st_stream(q + at, r);
  }
}

// The row's sum, fp32 per thread in blocks of kFlush, then fp64 (term(i): the
// thread's i-th term).
template <int N, class Term>
__device__ __forceinline__ double thread_sum(Term term) {
  double total = 0;
  float s = 0;
#pragma unroll
  for (int i = 0; i < N; ++i) {
    s += term(i);
    if (i % kFlush == kFlush - 1) total += s, s = 0;
  }
  return N % kFlush == 0 ? total : total + s;
}

// The two-pass output: m / sum rescaled by 2^(n - top); Normal: the caller
// knows that every result of the thread is normal.
template <class T, int K, bool Normal, class Team>
__device__ void two_pass_out(const Team& team, const float (&x)[K * (16 / sizeof(T))], float top,
                             const Divider& div, uint4* q, size_t nvec) {
  constexpr int V = 16 / sizeof(T);
#pragma unroll
  for (int k = 0; k < K; ++k) {
    const size_t at = static_cast<size_t>(k) * Team::kSize + team.rank();
    if (at >= nvec) continue;
    float y[V];
#pragma unroll
    for (int j = 0; j < V; ++j) {
      const float v = x[k * V + j];
      const auto e = softmax_exp::exp_split(v == -kInf ? 0.0f : v);
      const float m = div.exact(e.m);  // e.m >= 2^-0.5, sum < 2^19: quotient >= 2^-20
      y[j] = v == -kInf ? 0.0f : (Normal ? scale2_normal(m, e.n - top) : scale2(m, fmaxf(e.n - top, -300.0f)));
    }
    st_stream(q + at, pack<T>(y));
  }
}

// Two-pass over the thread's registers. Returns false when the row leaves the
// two-pass domain (every thread of the team agrees): the caller then runs the
// three-pass recompute arithmetic.
template <class T, int K, class Team>
__device__ bool two_pass_row(const Team& team, const float (&x)[K * (16 / sizeof(T))], uint4* q, size_t nvec) {
  constexpr int V = 16 / sizeof(T), N = K * V;
  constexpr float kDomain = 4194304.0f;  // 2^22: n exact in fp32
  bool bad = false;
  float xt = -kInf, xl = kInf;
#pragma unroll
  for (int i = 0; i < N; ++i) {
    bad |= x[i] != x[i] || x[i] >= kDomain || (x[i] <= -kDomain && x[i] != -kInf);
    xt = x[i] > xt ? x[i] : xt;
    xl = fminf(xl, x[i]);
  }
  // n of the thread's largest (smallest) x: the largest (smallest) n of its
  // elements (exp_split's n is monotone in x); -inf elements count as -inf.
  const float nt = bad ? kNaN : (xt == -kInf ? -kInf : rintf(xt * softmax_exp::kLog2e));
  const float nl = xl == -kInf ? -kInf : rintf(xl * softmax_exp::kLog2e);
  const auto term = [&]<bool Normal>(int i) {
    const auto e = softmax_exp::exp_split(x[i] == -kInf ? 0.0f : x[i]);
    return x[i] == -kInf ? 0.0f : (Normal ? scale2_normal(e.m, e.n - nt) : scale2(e.m, e.n - nt));
  };
  double dt = 0;
  if (!bad && nl - nt >= -125.0f) dt = thread_sum<N>([&](int i) { return term.template operator()<true>(i); });
  else if (!bad) dt = thread_sum<N>([&](int i) { return term.template operator()<false>(i); });
  const Pair p = team.reduce(Pair{nt, dt}, PairOp{}, 0);
  if (p.n != p.n) return false;
  if (!(p.d > 0)) {  // all -inf: NaN (two-pass has no safe variant)
    team.done();
    fill_row<T, K>(team, q, nvec, kNaN);
    return true;
  }
  team.done();
  // m / sum is in [2^-21, 2] (sum >= 2^-0.5, the top element's own term,
  // and < 2^19 for rows of <= 2^18): times 2^(n - top) it stays normal for
  // n - top >= -100.
  const Divider div(static_cast<float>(p.d));
  if (nl - p.n >= -100.0f) two_pass_out<T, K, true>(team, x, p.n, div, q, nvec);
  else two_pass_out<T, K, false>(team, x, p.n, div, q, nvec);
  return true;
}

// This thread's part of the sum of e = exp(x - max), e kept in x if Keep;
// Normal: the caller knows that x - max >= -86 on this thread.
template <int N, bool Keep, bool Normal>
__device__ __forceinline__ double exp_sum(float (&x)[N], float max) {
  return thread_sum<N>([&](int i) {
    const float e = exp_of<Normal>(x[i] - max);
    if constexpr (Keep) x[i] = e;
    return e;
  });
}

// The output e / sum (Keep: e in x, else exp(x - max) again); Normal: every
// x - max of the thread >= -86 and every quotient >= 2^-90 (no tests).
template <class T, int K, bool Keep, bool Normal, class Team>
__device__ void exp_out(const Team& team, const float (&x)[K * (16 / sizeof(T))], float max, const Divider& div,
                        uint4* q, size_t nvec) {
  constexpr int V = 16 / sizeof(T);
#pragma unroll
  for (int k = 0; k < K; ++k) {
    const size_t at = static_cast<size_t>(k) * Team::kSize + team.rank();
    if (at >= nvec) continue;
    float y[V];
#pragma unroll
    for (int j = 0; j < V; ++j) {
      const float e = Keep ? x[k * V + j] : exp_of<Normal>(x[k * V + j] - max);
      y[j] = Normal ? div.exact(e) : div(e);
    }
    st_stream(q + at, pack<T>(y));
  }
}

// The sum and the output; Keep: one exp an element (reload, online), else
// two (recompute). Every thread of the team reaches the reduction at the same
// instruction: only the per-thread arithmetic depends on `normal`.
template <class T, int K, bool Keep, class Team>
__device__ void exp_pass(const Team& team, float (&x)[K * (16 / sizeof(T))], float max, float lo, uint4* q,
                         size_t nvec) {
  // Every x - max of the thread >= -86 (no -inf, no padding): exp results normal.
  const bool normal = lo - max >= -86.0f;
  constexpr int N = K * (16 / sizeof(T));
  const double part = normal ? exp_sum<N, Keep, true>(x, max) : exp_sum<N, Keep, false>(x, max);
  const double sum = team.reduce(part, SumOp{}, 2);
  team.done();
  if (sum != sum) return fill_row<T, K>(team, q, nvec, kNaN);
  const Divider div(static_cast<float>(sum));  // >= 1: the max's own term
  // The thread's smallest e over the sum >= 2^-80 (margin 2^10): no quotient
  // of the thread below 2^-90.
  if (normal && exp_normal(lo - max) >= 0x1p-80f * div.b) exp_out<T, K, Keep, true>(team, x, max, div, q, nvec);
  else exp_out<T, K, Keep, false>(team, x, max, div, q, nvec);
}

// The thread's K vectors r (those at >= nvec absent) as floats, -inf padding.
template <class T, int K, class Team>
__device__ __forceinline__ void unpack_row(const Team& team, const uint4 (&r)[K], size_t nvec,
                                           float (&x)[K * (16 / sizeof(T))]) {
  constexpr int V = 16 / sizeof(T);
#pragma unroll
  for (int k = 0; k < K; ++k) {
    float v[V];
    const size_t at = static_cast<size_t>(k) * Team::kSize + team.rank();
    if (at < nvec) {
      unpack<T>(r[k], v);
    } else {
#pragma unroll
      for (int j = 0; j < V; ++j) v[j] = -kInf;  // padding: exp gives 0
    }
#pragma unroll
    for (int j = 0; j < V; ++j) x[k * V + j] = v[j];
  }
}

template <class T, int K, class Team>
__device__ void softmax_regs(const Team& team, float (&x)[K * (16 / sizeof(T))], uint4* q, size_t nvec,
                             SoftmaxAlgorithm alg, bool safe);

// One row on `team`, K vectors a thread.
template <class T, int K, class Team>
__device__ void softmax_row(const Team& team, const T* __restrict__ in, T* __restrict__ out, size_t cols,
                            SoftmaxAlgorithm alg, bool safe) {
  constexpr int V = 16 / sizeof(T), N = K * V;
  const size_t nvec = cols / V, row = team.row();
  const uint4* p = reinterpret_cast<const uint4*>(in + row * cols);
  float x[N];
  {
    uint4 r[K];
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const size_t at = static_cast<size_t>(k) * Team::kSize + team.rank();
      if (at < nvec) r[k] = ld_stream(p + at);
    }
    unpack_row<T, K>(team, r, nvec, x);
  }
  softmax_regs<T, K>(team, x, reinterpret_cast<uint4*>(out + row * cols), nvec, alg, safe);
}

// The row in x (the thread's elements) on `team`, written to q.
template <class T, int K, class Team>
__device__ void softmax_regs(const Team& team, float (&x)[K * (16 / sizeof(T))], uint4* q, size_t nvec,
                             SoftmaxAlgorithm alg, bool safe) {
  constexpr int N = K * (16 / sizeof(T));
  if (alg == SoftmaxAlgorithm::two_pass) {
    if (two_pass_row<T, K>(team, x, q, nvec)) return;
    alg = SoftmaxAlgorithm::three_pass_recompute;  // outside the two-pass domain
  }
  float m = -kInf, lo = kInf;
#pragma unroll
  for (int i = 0; i < N; ++i) m = max_nan(m, x[i]), lo = fminf(lo, x[i]);
  const float max = team.reduce(m, MaxOp{}, 1);
  if (!isfinite(max)) {
    team.done();
    fill_row<T, K>(team, q, nvec, (safe && max == -kInf) ? 0.0f : kNaN);
    return;
  }
  if (alg == SoftmaxAlgorithm::three_pass_recompute) return exp_pass<T, K, false>(team, x, max, lo, q, nvec);
  exp_pass<T, K, true>(team, x, max, lo, q, nvec);
}
template <class T, int GW, int K>
__global__ void __launch_bounds__(256) group_kernel(const T* __restrict__ in, T* __restrict__ out, size_t rows,
                                                   size_t cols, SoftmaxAlgorithm alg, bool safe) {
  const GroupTeam<GW> team;
  if (team.row() >= rows) return;  // whole groups leave together
  softmax_row<T, K>(team, in, out, cols, alg, safe);
}

// Registers: <= 80 a thread (768 threads an SM, three blocks of 256: one
// block's loads overlap another's arithmetic); blocks of 512 (rows of more
// than 131,072 columns): 64, two blocks an SM (fp32 spills 24 bytes there).
template <class T, int NT, int C, int K>
__global__ void __launch_bounds__(NT, NT >= 512 ? 2 : 768 / NT)
    cluster_kernel(const T* __restrict__ in, T* __restrict__ out, size_t cols, SoftmaxAlgorithm alg, bool safe) {
  __shared__ Pair warp_slots[NT / 32];
  __shared__ Pair block_slots[3];
  ClusterTeam<NT, C> team;
  team.warp_slots = warp_slots;
  team.block_slots = block_slots;
  softmax_row<T, K>(team, in, out, cols, alg, safe);
}

// 16 bytes global -> shared, asynchronous (L2 only), and the wait for all of
// this thread's copies.
__device__ __forceinline__ void copy_async16(uint4* dst, const uint4* src) {
  const unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(d), "l"(src) : "memory");
}
__device__ __forceinline__ void copy_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
__device__ __forceinline__ void copy_async_wait() { asm volatile("cp.async.wait_group 0;" ::: "memory"); }

// Long rows (clusters): each cluster runs rows first, first + step, ... (grid
// = the clusters that fit at once). A thread copies its part of the next row
// into its own shared-memory slots (K x NT vectors a block, thread-private:
// no barrier for the copy) while it reduces and writes the current row from
// registers, so the next row's loads are in flight during this row's
// barriers and arithmetic. Same arithmetic as cluster_kernel, bit for bit.
template <class T, int NT, int C, int K>
__global__ void __launch_bounds__(NT, NT >= 512 ? 2 : 768 / NT)
    stream_kernel(const T* __restrict__ in, T* __restrict__ out, size_t rows, size_t cols, SoftmaxAlgorithm alg,
                  bool safe) {
  extern __shared__ uint4 stage[];  // [K][NT]
  __shared__ Pair warp_slots[NT / 32];
  __shared__ Pair block_slots[6];
  constexpr int V = 16 / sizeof(T);
  ClusterTeam<NT, C, true> team;
  team.warp_slots = warp_slots;
  team.block_slots = block_slots;
  const size_t nvec = cols / V, step = gridDim.x / C;
  const uint4* p = reinterpret_cast<const uint4*>(in);
  const auto prefetch = [&](size_t row) {
    if (row >= rows) return;
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const size_t at = static_cast<size_t>(k) * ClusterTeam<NT, C, true>::kSize + team.rank();
      if (at < nvec) copy_async16(stage + k * NT + threadIdx.x, p + row * nvec + at);
    }
    copy_async_commit();
  };
  size_t row = blockIdx.x / C;
  prefetch(row);
  for (; row < rows; row += step, team.parity ^= 1) {
    float x[K * V];
    {
      copy_async_wait();
      uint4 r[K];
#pragma unroll
      for (int k = 0; k < K; ++k) {
        const size_t at = static_cast<size_t>(k) * ClusterTeam<NT, C, true>::kSize + team.rank();
        if (at < nvec) r[k] = stage[k * NT + threadIdx.x];
      }
      unpack_row<T, K>(team, r, nvec, x);
    }
    __syncthreads();  // this thread's shared-memory reads done before its next copies land
    prefetch(row + step);
    team.loop_row = row;
    softmax_regs<T, K>(team, x, reinterpret_cast<uint4*>(out) + row * nvec, nvec, alg, safe);
  }
  if constexpr (C > 1) cg::this_cluster().sync();  // no block leaves while another reads its slots
}

struct Call {
  const void* in;
  void* out;
  size_t rows, cols;
  SoftmaxAlgorithm alg;
  bool safe;
  cudaStream_t st;
};

template <class T, int GW, int K>
cudaError_t launch_group(const Call& c) {
  const size_t blocks = (c.rows + 256 / GW - 1) / (256 / GW);
  if (blocks > 0x7fffffffu) return static_cast<cudaError_t>(-1);
  group_kernel<T, GW, K><<<static_cast<unsigned>(blocks), 256, 0, c.st>>>(
      static_cast<const T*>(c.in), static_cast<T*>(c.out), c.rows, c.cols, c.alg, c.safe);
  return cudaGetLastError();
}

template <class T, int NT, int C>
cudaError_t launch_cluster(const Call& c) {
  constexpr int K = 32 / (16 / sizeof(T));
  auto* kernel = cluster_kernel<T, NT, C, K>;
  if (c.rows * C > 0x7fffffffu) return static_cast<cudaError_t>(-1);
  if (C > 8) {
    const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
    if (e != cudaSuccess) return e;
  }
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(static_cast<unsigned>(c.rows * C));
  cfg.blockDim = dim3(NT);
  cfg.stream = c.st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = C, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = C > 1 ? 1 : 0;
  return cudaLaunchKernelEx(&cfg, kernel, static_cast<const T*>(c.in), static_cast<T*>(c.out), c.cols, c.alg,
                            c.safe);
}

// stream_kernel on the clusters that fit at once (at most one per row).
template <class T, int NT, int C>
cudaError_t launch_stream(const Call& c) {
  constexpr int K = 32 / (16 / sizeof(T));
  constexpr size_t kStage = static_cast<size_t>(K) * NT * 16;
  auto* kernel = stream_kernel<T, NT, C, K>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kStage);
  if (e == cudaSuccess && C > 8) e = cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
  if (e != cudaSuccess) return e;
  cudaLaunchConfig_t cfg{};
  cfg.blockDim = dim3(NT);
  cfg.dynamicSmemBytes = kStage;
  cfg.stream = c.st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = C, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = 1;
  cfg.gridDim = dim3(C);
  // Clusters resident at once, asked once per device and kernel.
  static int fit[64] = {};
  int dev = 0;
  if ((e = cudaGetDevice(&dev)) != cudaSuccess) return e;
  if (dev < 64 && fit[dev] == 0) {
    int n = 0;
    e = cudaOccupancyMaxActiveClusters(&n, kernel, &cfg);
    if (e != cudaSuccess) return e;
    fit[dev] = n > 0 ? n : -1;
  }
  if (dev >= 64 || fit[dev] < 0) return static_cast<cudaError_t>(-1);
  const size_t clusters = c.rows < static_cast<size_t>(fit[dev]) ? c.rows : static_cast<size_t>(fit[dev]);
  cfg.gridDim = dim3(static_cast<unsigned>(clusters * C));
  return cudaLaunchKernelEx(&cfg, kernel, static_cast<const T*>(c.in), static_cast<T*>(c.out), c.rows, c.cols,
                            c.alg, c.safe);
}

// static_cast<cudaError_t>(-1): the fast paths do not take this call.
template <class T>
cudaError_t softmax_fast_io(const Call& c) {
  constexpr int V = 16 / sizeof(T), KMax = 32 / V;
  const size_t nvec = c.cols / V;
  if (nvec <= 4) return launch_group<T, 4, 1>(c);
  if (nvec <= 8) return launch_group<T, 4, 2>(c);
  if (nvec <= 16) return launch_group<T, 8, 2>(c);
  if (nvec <= 32) return launch_group<T, 16, 2>(c);
  if (nvec <= 64) return launch_group<T, 32, 2>(c);
  if (nvec <= 128) return launch_group<T, 32, 4>(c);
  if constexpr (KMax == 8)
    if (nvec <= 256) return launch_group<T, 32, 8>(c);
  // Blocks of <= 256 threads (<= 80 registers: three or more blocks an SM, so
  // that one block's loads overlap another's arithmetic); 512 only where 16
  // such blocks cannot hold the row (one block an SM).
  if (nvec <= 128 * KMax) return launch_cluster<T, 128, 1>(c);
  if (nvec <= 256 * KMax) return launch_cluster<T, 256, 1>(c);
  // Clusters of 4, 16-bit rows (32,768 columns): persistent clusters that
  // prefetch the next row (stream_kernel) were 4% faster on the H100
  // (softmax_cuda_tuning.md, session 3b); at every other measured cluster
  // shape one row a cluster launch (cluster_kernel) was faster.
  if (nvec <= 2 * 256 * KMax) return launch_cluster<T, 256, 2>(c);
  if (nvec <= 4 * 256 * KMax) {
    if constexpr (sizeof(T) == 2) return launch_stream<T, 256, 4>(c);
    else return launch_cluster<T, 256, 4>(c);
  }
  if (nvec <= 8 * 256 * KMax) return launch_cluster<T, 256, 8>(c);
  cudaError_t e = static_cast<cudaError_t>(-1);
  // Non-portable clusters of 16 (H100: yes); where refused, the general kernel.
  if (nvec <= 16 * 256 * KMax) e = launch_cluster<T, 256, 16>(c);
  else if (nvec <= 16 * 512 * KMax) e = launch_cluster<T, 512, 16>(c);
  if (e == cudaSuccess) return e;
  (void)cudaGetLastError();
  return static_cast<cudaError_t>(-1);
}

}  // namespace

cudaError_t softmax_fast(SoftmaxAlgorithm algorithm, bool safe, SoftmaxIo io, const void* in, void* out,
                         size_t rows, size_t cols, cudaStream_t st) {
  const size_t v = io == SoftmaxIo::fp32 ? 4 : 8;
  if (cols % v != 0 || reinterpret_cast<uintptr_t>(in) % 16 != 0 || reinterpret_cast<uintptr_t>(out) % 16 != 0)
    return static_cast<cudaError_t>(-1);
  const Call c{in, out, rows, cols, algorithm, safe, st};
  switch (io) {
    case SoftmaxIo::fp32: return softmax_fast_io<float>(c);
    case SoftmaxIo::bf16: return softmax_fast_io<__nv_bfloat16>(c);
    default: return softmax_fast_io<__half>(c);
  }
}

}  // namespace plumb::kernels::cuda
