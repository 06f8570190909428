// cuda_fast: fp32 -> any format of at most 8 bits on the GPU, bit-exact with
// formats/ convert_code (codes and flags), at memory speed. The per-element
// function and the per-call plan are in convert_fast_element.hpp (host and
// device); this file holds the kernel (16-byte loads of four fp32 codes, four
// codes packed into one 32-bit store, flags likewise, a grid-stride loop over
// one wave of resident blocks with kUnroll vectors in flight per thread;
// infinity / NaN patched in per vector only when present), the device entry point
// convert_fast_device and the host-array kernel under test cuda_fast.
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "convert_fast_element.hpp"
#include "device_staging.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"
#include "plumb/kernels/cuda_convert.hpp"

namespace plumb::kernels::cuda {
namespace {

using fast::Map;
using fast::Plan;

constexpr int kFastBlock = 256;
// float4 vectors per thread per step (64 bytes of input in flight); 2 for
// stochastic rounding with flags, whose rbits double the live state (4 spills
// a word on sm_100a/120a).
template <Rounding R, bool F>
inline constexpr int kUnroll = R == Rounding::stochastic && F ? 2 : 4;

__device__ __forceinline__ uint32_t pack4(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3) {
  return __byte_perm(__byte_perm(c0, c1, 0x0040), __byte_perm(c2, c3, 0x0040), 0x5410);
}

// Four elements (ue8m0's fp32 subnormal inputs are redone by fix_kernel).
// Infinity / NaN are patched in only when the vector holds one: a rarely
// taken branch instead of six selects per element.
template <Rounding R, bool F, Map K>
__device__ __forceinline__ void convert4(const Plan& p, uint4 u, uint4 rb, uint32_t* codes,
                                         uint32_t* fl) {
  uint32_t c[4], f[4] = {0, 0, 0, 0};
  const uint32_t uu[4] = {u.x, u.y, u.z, u.w}, rr[4] = {rb.x, rb.y, rb.z, rb.w};
#pragma unroll
  for (int j = 0; j < 4; ++j)
    c[j] = fast::convert_element<R, F, K, false>(p, uu[j], rr[j], &f[j]);
  const uint32_t amax = max(max(uu[0] & 0x7fffffffu, uu[1] & 0x7fffffffu),
                            max(uu[2] & 0x7fffffffu, uu[3] & 0x7fffffffu));
  if (amax > 0x7f7fffffu) {
#pragma unroll
    for (int j = 0; j < 4; ++j) fast::apply_special<F>(p, uu[j], &c[j], &f[j]);
  }
  *codes = pack4(c[0], c[1], c[2], c[3]);
  if constexpr (F) *fl = pack4(f[0], f[1], f[2], f[3]);
}

template <Rounding R, bool F, Map K>
__global__ void __launch_bounds__(kFastBlock)
    fast_kernel(const __grid_constant__ Plan p, const uint4* __restrict__ in,
                uint32_t* __restrict__ out, uint32_t* __restrict__ flags,
                const uint4* __restrict__ rbits, size_t nq) {
  constexpr bool SR = R == Rounding::stochastic;
  constexpr int U = kUnroll<R, F>;
  const size_t stride = static_cast<size_t>(gridDim.x) * kFastBlock * U;
  for (size_t base = static_cast<size_t>(blockIdx.x) * kFastBlock * U + threadIdx.x;
       base < nq; base += stride) {
    uint4 u[U], rb[U];
#pragma unroll
    for (int k = 0; k < U; ++k) {
      const size_t q = base + static_cast<size_t>(k) * kFastBlock;
      u[k] = q < nq ? __ldcs(in + q) : make_uint4(0, 0, 0, 0);
      rb[k] = SR && q < nq ? __ldcs(rbits + q) : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int k = 0; k < U; ++k) {
      const size_t q = base + static_cast<size_t>(k) * kFastBlock;
      uint32_t codes, fl = 0;
      convert4<R, F, K>(p, u[k], rb[k], &codes, &fl);
      if (q < nq) {
        __stcs(out + q, codes);
        if constexpr (F) __stcs(flags + q, fl);
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
  const uint32_t c = fast::convert_element<R, F, K>(p, in[i], rbits ? rbits[i] : 0u, &f);
  out[i] = static_cast<uint8_t>(c);
  if (flags) flags[i] = static_cast<uint8_t>(f);
}

// Plans with sub_fallback (ue8m0): a second pass redoes the fp32 subnormal
// inputs with formats/ convert_code (one instantiation; a read of the input).
__global__ void __launch_bounds__(kFastBlock)
    fix_kernel(const __grid_constant__ Plan p, const uint32_t* __restrict__ in,
               uint8_t* __restrict__ out, uint8_t* __restrict__ flags,
               const uint32_t* __restrict__ rbits, size_t n) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const uint32_t u = __ldcs(in + i);
    if (!fast::needs_fallback(p, u)) continue;
    uint32_t f = 0;
    const uint32_t c = fast::convert_reference(p, u, rbits ? rbits[i] : 0u, &f);
    out[i] = static_cast<uint8_t>(c);
    if (flags) flags[i] = static_cast<uint8_t>(f);
  }
}

std::atomic<int> g_sms[64];

cudaError_t sms_of_current(int* sms) {
  int device = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e != cudaSuccess) return e;
  if (device >= 0 && device < 64 && g_sms[device] > 0) {
    *sms = g_sms[device];
    return cudaSuccess;
  }
  e = cudaDeviceGetAttribute(sms, cudaDevAttrMultiProcessorCount, device);
  if (e == cudaSuccess && device >= 0 && device < 64) g_sms[device] = *sms;
  return e;
}

template <Rounding R, bool F, Map K>
cudaError_t launch(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                   const uint32_t* rbits, cudaStream_t stream) {
  const size_t nq = n / 4, tail = n % 4;
  int sms = 0;
  const cudaError_t e = sms_of_current(&sms);
  if (e != cudaSuccess) return e;
  if (nq > 0) {
    // One wave of resident blocks (a second, partial wave would run at low
    // occupancy): the occupancy of this instantiation, asked once.
    static std::atomic<int> resident{0};
    int per_sm = resident.load(std::memory_order_relaxed);
    if (per_sm == 0) {
      if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, fast_kernel<R, F, K>, kFastBlock,
                                                        0) != cudaSuccess ||
          per_sm < 1) {
        (void)cudaGetLastError();
        per_sm = 4;
      }
      resident.store(per_sm, std::memory_order_relaxed);
    }
    const size_t per_block = size_t{kFastBlock} * kUnroll<R, F>;
    const size_t blocks = std::min((nq + per_block - 1) / per_block,
                                   static_cast<size_t>(std::max(sms, 1)) * per_sm);
    fast_kernel<R, F, K><<<static_cast<int>(blocks), kFastBlock, 0, stream>>>(
        p, static_cast<const uint4*>(in), static_cast<uint32_t*>(out),
        reinterpret_cast<uint32_t*>(flags), reinterpret_cast<const uint4*>(rbits), nq);
  }
  if (tail > 0) {
    const size_t done = nq * 4;
    tail_kernel<R, F, K><<<1, 32, 0, stream>>>(
        p, static_cast<const uint32_t*>(in) + done, static_cast<uint8_t*>(out) + done,
        flags ? flags + done : nullptr, rbits ? rbits + done : nullptr, tail);
  }
  if (p.sub_fallback) {
    const size_t blocks = std::min((n + kFastBlock - 1) / kFastBlock,
                                   static_cast<size_t>(std::max(sms, 1)) * 8);
    fix_kernel<<<static_cast<int>(blocks), kFastBlock, 0, stream>>>(
        p, static_cast<const uint32_t*>(in), static_cast<uint8_t*>(out), flags,
        p.spec.rounding == Rounding::stochastic ? rbits : nullptr, n);
  }
  return cudaGetLastError();
}

template <Rounding R, bool F>
cudaError_t by_map(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                   const uint32_t* rbits, cudaStream_t stream) {
  switch (p.map) {
    case Map::float_clamp: return launch<R, F, Map::float_clamp>(p, in, out, flags, n, rbits, stream);
    case Map::fnuz_clamp: return launch<R, F, Map::fnuz_clamp>(p, in, out, flags, n, rbits, stream);
    case Map::int_clamp: return launch<R, F, Map::int_clamp>(p, in, out, flags, n, rbits, stream);
    case Map::generic: break;
  }
  return launch<R, F, Map::generic>(p, in, out, flags, n, rbits, stream);
}

template <Rounding R>
cudaError_t by_flags(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                     const uint32_t* rbits, cudaStream_t stream) {
  return flags ? by_map<R, true>(p, in, out, flags, n, rbits, stream)
               : by_map<R, false>(p, in, out, flags, n, rbits, stream);
}

bool misaligned(const void* p, uintptr_t a) {
  return (reinterpret_cast<uintptr_t>(p) & (a - 1)) != 0;
}

}  // namespace

cudaError_t convert_fast_device(const ConvertArgs& args, const void* d_in, void* d_out,
                                uint8_t* d_flags, size_t n, const uint32_t* d_rbits,
                                cudaStream_t stream) {
  Plan p;
  if (!fast::make_plan(args.from, args.to, args.spec, d_rbits != nullptr, &p))
    return cudaErrorNotSupported;
  if (n == 0) return cudaSuccess;
  if (!d_in || !d_out) return cudaErrorInvalidValue;
  if (misaligned(d_in, 16) || misaligned(d_out, 4) || (d_flags && misaligned(d_flags, 4)) ||
      (d_rbits && args.spec.rounding == Rounding::stochastic && misaligned(d_rbits, 16)))
    return cudaErrorNotSupported;
  switch (args.spec.rounding) {
    case Rounding::nearest_even:
      return by_flags<Rounding::nearest_even>(p, d_in, d_out, d_flags, n, d_rbits, stream);
    case Rounding::nearest_away:
      return by_flags<Rounding::nearest_away>(p, d_in, d_out, d_flags, n, d_rbits, stream);
    case Rounding::toward_zero:
      return by_flags<Rounding::toward_zero>(p, d_in, d_out, d_flags, n, d_rbits, stream);
    case Rounding::upward:
      return by_flags<Rounding::upward>(p, d_in, d_out, d_flags, n, d_rbits, stream);
    case Rounding::downward:
      return by_flags<Rounding::downward>(p, d_in, d_out, d_flags, n, d_rbits, stream);
    case Rounding::odd:
      return by_flags<Rounding::odd>(p, d_in, d_out, d_flags, n, d_rbits, stream);
    case Rounding::stochastic:
      return by_flags<Rounding::stochastic>(p, d_in, d_out, d_flags, n, d_rbits, stream);
  }
  return cudaErrorNotSupported;
}

// The host-array kernel under test: the shared staging path around
// convert_fast_device, or convert_device for what the fast kernel does not cover.
namespace {
cudaError_t fast_or_generic(const ConvertArgs& args, const void* d_in, void* d_out, uint8_t* d_flags,
                            size_t n, const uint32_t* d_rbits, cudaStream_t stream) {
  cudaError_t e = convert_fast_device(args, d_in, d_out, d_flags, n, d_rbits, stream);
  if (e == cudaErrorNotSupported) {
    (void)cudaGetLastError();
    e = convert_device(args, d_in, d_out, d_flags, n, d_rbits, stream);
  }
  return e;
}
}  // namespace

PLUMB_DECLARE_CONVERT_FN(convert_fast) {
  return convert_host_arrays("cuda_fast", &fast_or_generic, args, in, out, flags, n, rbits, message);
}

}  // namespace plumb::kernels::cuda
