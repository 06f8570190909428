// cuda_fast: fp32 -> any format of at most 8 bits on the GPU, bit-exact with
// formats/ convert_code (codes and flags), at memory speed. The per-element
// function and the per-call plan are in convert_fast_element.hpp (host and
// device), the kernels in convert_fast_kernel.cuh; this file picks their
// tuning and grid, and holds the device entry point convert_fast_device and
// the host-array kernel under test cuda_fast.
#include <cuda_runtime.h>

#include <cstdint>

#include "convert_fast_element.hpp"
#include "convert_fast_kernel.cuh"
#include "device_staging.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"
#include "plumb/kernels/cuda_convert.hpp"

namespace plumb::kernels::cuda {
namespace {

using fast::Map;
using fast::Plan;

// The tuning that tools/cuda_fast/fast_variants.cu measured best on the H100
// (results/h100-2026-11-24/cuda_fast_tuning.md): 256 threads, four float4
// loads in flight per thread, plain ld.global / st.global (the read-only .nc
// and evict-first .cs flavours were 2 to 3% slower), and one block per tile of
// 1024 vectors (16 KiB of input) rather than a persistent grid-stride loop over
// one wave of resident blocks (5% slower).
using Tune = fast::Tuning<256, 4, fast::Load::plain, fast::Store::plain>;

// The hardware path (fp32 -> e4m3fn / e5m2, nearest_even, codes only; see
// convert_fast_kernel.cuh, convert4_hw) has almost no arithmetic left, so it
// takes the shape of the fastest movement-only kernel of the tuning study and
// of torch's own kernel: 128 threads, two float4 per thread, one block per
// tile (the movement kernel ran 110.7 us in this shape, 111.1 us in Tune's).
using TuneHw = fast::Tuning<512, 2, fast::Load::plain, fast::Store::plain>;  // fastest in fast_variants (cuda_fast_tuning.md)

template <fast::Hw H>
cudaError_t launch_hw(const Plan& p, const void* in, void* out, size_t n, cudaStream_t stream) {
  constexpr Rounding NE = Rounding::nearest_even;
  // The map serves the tail only (n % 4 elements by the element function).
  if (p.map == Map::float_clamp)
    return fast::launch_fast<TuneHw, NE, false, Map::float_clamp, H>(p, in, out, nullptr, n,
                                                                      nullptr, 0, stream);
  return fast::launch_fast<TuneHw, NE, false, Map::generic, H>(p, in, out, nullptr, n, nullptr, 0,
                                                                stream);
}

template <Rounding R, bool F, Map K>
cudaError_t launch(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                   const uint32_t* rbits, cudaStream_t stream) {
  return fast::launch_fast<Tune, R, F, K>(p, in, out, flags, n, rbits, /*resident_blocks=*/0,
                                          stream);
}

template <Rounding R, bool F>
cudaError_t by_map(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                   const uint32_t* rbits, cudaStream_t stream) {
  switch (p.map) {
    case Map::float_clamp: return launch<R, F, Map::float_clamp>(p, in, out, flags, n, rbits, stream);
    case Map::fnuz_clamp: return launch<R, F, Map::fnuz_clamp>(p, in, out, flags, n, rbits, stream);
    case Map::int_clamp: return launch<R, F, Map::int_clamp>(p, in, out, flags, n, rbits, stream);
    case Map::e8m0: return launch<R, F, Map::e8m0>(p, in, out, flags, n, rbits, stream);
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
  if (p.hw != fast::Hw::none && !d_flags && args.spec.rounding == Rounding::nearest_even)
    return p.hw == fast::Hw::e4m3 ? launch_hw<fast::Hw::e4m3>(p, d_in, d_out, n, stream)
                                  : launch_hw<fast::Hw::e5m2>(p, d_in, d_out, n, stream);
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
