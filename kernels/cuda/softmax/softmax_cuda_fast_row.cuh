// cuda softmax fast paths: the per-algorithm arithmetic over a row held in
// registers (layout, arithmetic and teams: softmax_cuda_fast_teams.cuh). Only
// softmax_cuda_fast.cu includes this file; its kernels and launches are there.
#pragma once

#include "softmax_cuda_fast_teams.cuh"

namespace plumb::kernels::cuda::softmax_fast_row {

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

}  // namespace plumb::kernels::cuda::softmax_fast_row
