// cuda_plumb: formats/ round_to_format on the GPU, one thread per element in a
// grid-stride loop. Each thread calls plumb::convert_code, the very definition
// that cpu_scalar calls, so the two must agree bit for bit.
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"
#include "plumb/kernels/cuda_convert.hpp"
#include "plumb/kernels/sweep_rbits.hpp"
#include "device_staging.hpp"

namespace plumb::kernels::cuda {
namespace {

// Stochastic-rounding bits made on the device from a seed (when used and no
// rbits array is given): element i gets index_rbits(value, i).
struct Seed {
  uint64_t value = 0;
  bool used = false;
};

template <typename In, typename Out>
__global__ void __launch_bounds__(kConvertBlockSize)
    convert_kernel(const ConvertArgs args, const In* __restrict__ in, Out* __restrict__ out,
                   uint8_t* __restrict__ flags, size_t n, const uint32_t* __restrict__ rbits,
                   const uint64_t seed, const bool seeded) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const uint32_t r_bits = rbits ? rbits[i] : seeded ? index_rbits(seed, i) : 0u;
    const Converted r = convert_code(args.from, args.to, in[i], args.spec, r_bits);
    out[i] = static_cast<Out>(r.code);
    if (flags) flags[i] = r.flags;
  }
}

template <typename In, typename Out>
void launch(const ConvertArgs& args, const void* in, void* out, uint8_t* flags, size_t n,
            const uint32_t* rbits, const Seed& seed, int grid, cudaStream_t stream) {
  convert_kernel<In, Out><<<grid, kConvertBlockSize, 0, stream>>>(
      args, static_cast<const In*>(in), static_cast<Out*>(out), flags, n, rbits, seed.value, seed.used);
}

template <typename In>
void launch_to(const ConvertArgs& args, const void* in, void* out, uint8_t* flags, size_t n,
               const uint32_t* rbits, const Seed& seed, int grid, cudaStream_t stream) {
  switch (args.to.storage_bytes()) {
    case 1: launch<In, uint8_t>(args, in, out, flags, n, rbits, seed, grid, stream); break;
    case 2: launch<In, uint16_t>(args, in, out, flags, n, rbits, seed, grid, stream); break;
    case 4: launch<In, uint32_t>(args, in, out, flags, n, rbits, seed, grid, stream); break;
    default: launch<In, uint64_t>(args, in, out, flags, n, rbits, seed, grid, stream); break;
  }
}

// Multiprocessor count per device, asked once per device.
constexpr int kMaxDevices = 64;
std::atomic<int> g_sm_count[kMaxDevices];

cudaError_t sm_count(int* count) {
  int device = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e != cudaSuccess) return e;
  if (device >= 0 && device < kMaxDevices) {
    *count = g_sm_count[device].load(std::memory_order_relaxed);
    if (*count > 0) return cudaSuccess;
  }
  e = cudaDeviceGetAttribute(count, cudaDevAttrMultiProcessorCount, device);
  if (e != cudaSuccess) return e;
  if (device >= 0 && device < kMaxDevices)
    g_sm_count[device].store(*count, std::memory_order_relaxed);
  return cudaSuccess;
}

int grid_for(size_t n, int sms) {
  const size_t blocks = (n + kConvertBlockSize - 1) / kConvertBlockSize;
  const size_t cap = static_cast<size_t>(std::max(sms, 1)) * 8;  // one wave of resident blocks
  return static_cast<int>(std::min(blocks, cap));
}

cudaError_t launch_any(const ConvertArgs& args, const void* d_in, void* d_out, uint8_t* d_flags,
                       size_t n, const uint32_t* d_rbits, const Seed& seed, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  if (!d_in || !d_out) return cudaErrorInvalidValue;
  int sms = 0;
  const cudaError_t e = sm_count(&sms);
  if (e != cudaSuccess) return e;
  const int grid = grid_for(n, sms);
  switch (args.from.storage_bytes()) {
    case 1: launch_to<uint8_t>(args, d_in, d_out, d_flags, n, d_rbits, seed, grid, stream); break;
    case 2: launch_to<uint16_t>(args, d_in, d_out, d_flags, n, d_rbits, seed, grid, stream); break;
    case 4: launch_to<uint32_t>(args, d_in, d_out, d_flags, n, d_rbits, seed, grid, stream); break;
    default: launch_to<uint64_t>(args, d_in, d_out, d_flags, n, d_rbits, seed, grid, stream); break;
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t convert_device(const ConvertArgs& args, const void* d_in, void* d_out, uint8_t* d_flags,
                           size_t n, const uint32_t* d_rbits, cudaStream_t stream) {
  return launch_any(args, d_in, d_out, d_flags, n, d_rbits, Seed{}, stream);
}

cudaError_t convert_device_seeded(const ConvertArgs& args, const void* d_in, void* d_out,
                                  uint8_t* d_flags, size_t n, uint64_t seed, cudaStream_t stream) {
  return launch_any(args, d_in, d_out, d_flags, n, nullptr, Seed{seed, true}, stream);
}

int convert_grid_size(size_t n) {
  int sms = 0;
  if (n == 0 || sm_count(&sms) != cudaSuccess) return 0;
  return grid_for(n, sms);
}

PLUMB_DECLARE_CONVERT_FN(convert_plumb) {
  return convert_host_arrays("cuda_plumb", &convert_device, args, in, out, flags, n, rbits, message);
}

KernelStatus convert_plumb_seeded(const ConvertArgs& args, const void* in, void* out, uint8_t* flags,
                                  size_t n, uint64_t seed, std::string* message) {
  return run_on_host_arrays(
      "cuda_plumb (seeded)",
      [&](const void* d_in, void* d_out, uint8_t* d_flags, const uint32_t*, cudaStream_t stream) {
        return convert_device_seeded(args, d_in, d_out, d_flags, n, seed, stream);
      },
      args, in, out, flags, n, nullptr, message);
}

}  // namespace plumb::kernels::cuda
