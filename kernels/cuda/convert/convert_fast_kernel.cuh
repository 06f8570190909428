// cuda_fast's kernels, templated on their tuning (threads per block, float4
// vectors per thread per step, cache hints) so that convert_fast.cu and the
// tuning tool tools/cuda_fast/fast_variants.cu launch the very same code.
//
// fast_kernel: 16-byte loads of four fp32 codes, four codes packed into one
// 32-bit store (flags likewise), a grid-stride loop with kUnroll vectors in
// flight per thread; infinity / NaN patched in per vector only when present.
// tail_kernel: the last n % 4 elements. The per-element function and the plan
// are in convert_fast_element.hpp.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "convert_fast_element.hpp"

namespace plumb::kernels::cuda::fast {

// How the kernel loads its input (and rbits) and stores its codes (and flags):
// plain ld.global / st.global (the default caching), the read-only path
// (ld.global.nc, __ldg), or evict-first (ld/st.global.cs, __ldcs / __stcs).
enum class Load : uint8_t { plain, nc, cs };
enum class Store : uint8_t { plain, cs };

// Block: threads per block; Unroll: float4 vectors per thread per step (the
// stochastic-with-flags instantiations use at most 2: their rbits double the
// live state, and 4 spills a word on sm_100a/120a).
template <int Block, int Unroll, Load L = Load::cs, Store S = Store::cs>
struct Tuning {
  static constexpr int block = Block;
  static constexpr Load load = L;
  static constexpr Store store = S;
  template <Rounding R, bool F>
  static constexpr int unroll = R == Rounding::stochastic && F && Unroll > 2 ? 2 : Unroll;
};

__device__ __forceinline__ uint32_t pack4(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3) {
  return __byte_perm(__byte_perm(c0, c1, 0x0040), __byte_perm(c2, c3, 0x0040), 0x5410);
}

template <Load L>
__device__ __forceinline__ uint4 load16(const uint4* p) {
  if constexpr (L == Load::cs) return __ldcs(p);
  else if constexpr (L == Load::nc) return __ldg(p);
  else {  // spelled out: through a const __restrict__ pointer the compiler picks .nc
    uint4 v;
    asm("ld.global.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
        : "l"(p));
    return v;
  }
}

template <Store S>
__device__ __forceinline__ void store4(uint32_t* p, uint32_t v) {
  if constexpr (S == Store::cs) __stcs(p, v);
  else *p = v;
}

// Four elements. Infinity / NaN are patched in only when the vector holds one:
// a rarely taken branch instead of six selects per element.
template <Rounding R, bool F, Map K>
__device__ __forceinline__ void convert4(const Plan& p, uint4 u, uint4 rb, uint32_t* codes,
                                         uint32_t* fl) {
  uint32_t c[4], f[4] = {0, 0, 0, 0};
  const uint32_t uu[4] = {u.x, u.y, u.z, u.w}, rr[4] = {rb.x, rb.y, rb.z, rb.w};
#pragma unroll
  for (int j = 0; j < 4; ++j) c[j] = convert_element<R, F, K, false>(p, uu[j], rr[j], &f[j]);
  const uint32_t amax = max(max(uu[0] & 0x7fffffffu, uu[1] & 0x7fffffffu),
                            max(uu[2] & 0x7fffffffu, uu[3] & 0x7fffffffu));
  if (amax > 0x7f7fffffu) {
#pragma unroll
    for (int j = 0; j < 4; ++j) apply_special<F>(p, uu[j], &c[j], &f[j]);
  }
  *codes = pack4(c[0], c[1], c[2], c[3]);
  if constexpr (F) *fl = pack4(f[0], f[1], f[2], f[3]);
}

// fp32 -> e4m3fn / e5m2, nearest_even, codes only (Plan::hw): four codes by
// two cvt.rn.satfinite.*x2.f32 (sm_89+), then patch_hw4
// (convert_fast_element.hpp) puts plumb's codes where the hardware's differ
// (NaN sign, infinity, overflow policy). The hardware's own codes (round to
// nearest even, subnormal results, the signed zeros of fp32 subnormal inputs)
// are checked against cpu_scalar on all 2^32 fp32 inputs under each policy by
// plumb_cuda_tests "[cuda_fast]".
template <Hw H>
__device__ __forceinline__ uint32_t cvt4_hw(uint4 u) {
  static_assert(H == Hw::e4m3 || H == Hw::e5m2);
  uint32_t r;  // mov.b32 {lo, hi}: lo is bits 0..15; cvt puts its a in the upper byte
  if constexpr (H == Hw::e4m3)
    asm("{\n\t.reg .b16 lo, hi;\n\t"
        "cvt.rn.satfinite.e4m3x2.f32 lo, %2, %1;\n\t"
        "cvt.rn.satfinite.e4m3x2.f32 hi, %4, %3;\n\t"
        "mov.b32 %0, {lo, hi};\n\t}"
        : "=r"(r)
        : "f"(__uint_as_float(u.x)), "f"(__uint_as_float(u.y)), "f"(__uint_as_float(u.z)),
          "f"(__uint_as_float(u.w)));
  else
    asm("{\n\t.reg .b16 lo, hi;\n\t"
        "cvt.rn.satfinite.e5m2x2.f32 lo, %2, %1;\n\t"
        "cvt.rn.satfinite.e5m2x2.f32 hi, %4, %3;\n\t"
        "mov.b32 %0, {lo, hi};\n\t}"
        : "=r"(r)
        : "f"(__uint_as_float(u.x)), "f"(__uint_as_float(u.y)), "f"(__uint_as_float(u.z)),
          "f"(__uint_as_float(u.w)));
  return r;
}

template <Hw H>
__device__ __forceinline__ uint32_t convert4_hw(const Plan& p, uint4 u) {
  return patch_hw4<H>(p, u.x, u.y, u.z, u.w, cvt4_hw<H>(u));
}

// H != Hw::none: the hardware path (R must be nearest_even, F false; K is the
// plan's map, used by tail_kernel only).
template <class T, Rounding R, bool F, Map K, Hw H = Hw::none>
__global__ void __launch_bounds__(T::block)
    fast_kernel(const __grid_constant__ Plan p, const uint4* __restrict__ in,
                uint32_t* __restrict__ out, uint32_t* __restrict__ flags,
                const uint4* __restrict__ rbits, size_t nq) {
  constexpr bool SR = R == Rounding::stochastic;
  constexpr int U = T::template unroll<R, F>, B = T::block;
  const size_t stride = static_cast<size_t>(gridDim.x) * B * U;
  for (size_t base = static_cast<size_t>(blockIdx.x) * B * U + threadIdx.x; base < nq;
       base += stride) {
    uint4 u[U], rb[U];
#pragma unroll
    for (int k = 0; k < U; ++k) {
      const size_t q = base + static_cast<size_t>(k) * B;
      u[k] = q < nq ? load16<T::load>(in + q) : make_uint4(0, 0, 0, 0);
      rb[k] = SR && q < nq ? load16<T::load>(rbits + q) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int k = 0; k < U; ++k) {
      const size_t q = base + static_cast<size_t>(k) * B;
      uint32_t codes, fl = 0;
      if constexpr (H != Hw::none) {
        static_assert(R == Rounding::nearest_even && !F, "the hardware path has no flags");
        codes = convert4_hw<H>(p, u[k]);
      } else {
        convert4<R, F, K>(p, u[k], rb[k], &codes, &fl);
      }
      if (q < nq) {
        store4<T::store>(out + q, codes);
        if constexpr (F) store4<T::store>(flags + q, fl);
      }
    }
  }
}

// The last n % 4 elements, one thread each.
template <Rounding R, bool F, Map K>
__global__ void tail_kernel(const __grid_constant__ Plan p, const uint32_t* __restrict__ in,
                            uint8_t* __restrict__ out, uint8_t* __restrict__ flags,
                            const uint32_t* __restrict__ rbits, size_t n) {
  const size_t i = threadIdx.x;
  if (i >= n) return;
  uint32_t f = 0;
  const uint32_t c = convert_element<R, F, K>(p, in[i], rbits ? rbits[i] : 0u, &f);
  out[i] = static_cast<uint8_t>(c);
  if (flags) flags[i] = static_cast<uint8_t>(f);
}

// Blocks for nq float4 vectors: with resident_blocks > 0 at most that many (a
// persistent grid-stride loop over one wave), else one block per tile of
// Block x Unroll vectors.
template <class T, Rounding R, bool F>
inline size_t fast_grid(size_t nq, size_t resident_blocks) {
  const size_t per_block = size_t{T::block} * T::template unroll<R, F>;
  const size_t tiles = (nq + per_block - 1) / per_block;
  const size_t cap = resident_blocks > 0 ? resident_blocks : size_t{0x7fffffff};
  return std::min(tiles, cap);
}

// Launches fast_kernel (n / 4 vectors) and tail_kernel (n % 4 elements, by
// the element function also when H is set).
template <class T, Rounding R, bool F, Map K, Hw H = Hw::none>
cudaError_t launch_fast(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                        const uint32_t* rbits, size_t resident_blocks, cudaStream_t stream) {
  const size_t nq = n / 4, tail = n % 4;
  if (nq > 0) {
    const size_t blocks = fast_grid<T, R, F>(nq, resident_blocks);
    fast_kernel<T, R, F, K, H><<<static_cast<unsigned>(blocks), T::block, 0, stream>>>(
        p, static_cast<const uint4*>(in), static_cast<uint32_t*>(out),
        reinterpret_cast<uint32_t*>(flags), reinterpret_cast<const uint4*>(rbits), nq);
  }
  if (tail > 0) {
    const size_t done = nq * 4;
    tail_kernel<R, F, K><<<1, 32, 0, stream>>>(
        p, static_cast<const uint32_t*>(in) + done, static_cast<uint8_t*>(out) + done,
        flags ? flags + done : nullptr, rbits ? rbits + done : nullptr, tail);
  }
  return cudaGetLastError();
}

}  // namespace plumb::kernels::cuda::fast
