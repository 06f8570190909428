// plumb kernels: the device-pointer entry point of the cuda_plumb conversion
// kernel, for GPU-resident sweeps and benchmarks (no host copies, no sync).
//
// CUDA builds only: include it where PLUMB_HAVE_CUDA is defined (plumb_kernels
// defines it publicly when the CUDA kernels are built) or from .cu files.
// Its users need the CUDA headers and CUDA::cudart_static, which plumb_kernels
// brings along in a CUDA build.
#pragma once

#if !defined(__CUDACC__) && !defined(PLUMB_HAVE_CUDA)
#error "plumb/kernels/cuda_convert.hpp is for CUDA builds: guard the include with #if defined(PLUMB_HAVE_CUDA)"
#endif

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels::cuda {

// Threads per block of the conversion kernel.
inline constexpr int kConvertBlockSize = 256;

// Launches the conversion of n codes on `stream` and returns at once. All
// pointers are device pointers with the layout of ConvertFn (codes in
// args.from.storage_bytes() / args.to.storage_bytes() each, one flag byte per
// element); d_flags may be null, d_rbits may be null (then every r is 0).
// The grid is a grid-stride loop over at most 8 blocks per multiprocessor of
// the current device. Returns the launch's error (cudaGetLastError), or
// cudaErrorInvalidValue for null code pointers with n > 0; errors raised while
// the kernel runs show up at the next synchronisation. n = 0 launches nothing.
cudaError_t convert_device(const ConvertArgs& args, const void* d_in, void* d_out, uint8_t* d_flags,
                           size_t n, const uint32_t* d_rbits, cudaStream_t stream = nullptr);

// convert_device with the stochastic-rounding bits made on the device: element
// i gets index_rbits(seed, i) (plumb/kernels/sweep_rbits.hpp), which is
// checks::case_rbits(seed, i) on the host, so a run reproduces from its seed.
// Other roundings ignore the seed. Same launch, pointers and errors as
// convert_device.
cudaError_t convert_device_seeded(const ConvertArgs& args, const void* d_in, void* d_out,
                                  uint8_t* d_flags, size_t n, uint64_t seed,
                                  cudaStream_t stream = nullptr);

// NVIDIA's conversion intrinsics in device code (kernel cuda_nv_intrinsics,
// convert_nv_intrinsics.cu): the intrinsic that performs args (from, to,
// rounding, overflow), one thread per element, codes only (d_flags, if given,
// are set to 0: the intrinsics report none; d_rbits is unused). Returns
// cudaErrorNotSupported, launching nothing, where NVIDIA offers no such
// conversion. Same layout and asynchrony as convert_device.
cudaError_t nv_intrinsics_device(const ConvertArgs& args, const void* d_in, void* d_out,
                                 uint8_t* d_flags, size_t n, const uint32_t* d_rbits,
                                 cudaStream_t stream = nullptr);

// The fast path (cuda_fast, kernels/cuda/convert/convert_fast.cu): fp32 sources
// into any format of at most 8 bits, bit-exact with convert_device (codes and
// flags), at memory speed: a per-call plan of constants and a branch-free
// per-element path, 16-byte loads, four codes per 32-bit store. Same pointer
// layout and asynchrony as convert_device, which the caller should use instead
// when this returns cudaErrorNotSupported (other sources or targets, stochastic
// rounding without d_rbits or with k outside 1..32, d_in or d_rbits not 16-byte
// aligned, d_out or d_flags not 4-byte aligned); nothing is launched then.
// fp32 -> e4m3fn / e5m2 under nearest_even without flags use the hardware
// conversion (cvt.rn.satfinite, sm_89 and later) plus a patch to plumb's codes.
cudaError_t convert_fast_device(const ConvertArgs& args, const void* d_in, void* d_out,
                                uint8_t* d_flags, size_t n, const uint32_t* d_rbits,
                                cudaStream_t stream = nullptr);

// Blocks convert_device launches for n elements on the current device (0 when
// n is 0 or the device cannot be queried).
int convert_grid_size(size_t n);

}  // namespace plumb::kernels::cuda
