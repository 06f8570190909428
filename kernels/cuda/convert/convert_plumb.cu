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

namespace plumb::kernels::cuda {
namespace {

template <typename In, typename Out>
__global__ void __launch_bounds__(kConvertBlockSize)
    convert_kernel(const ConvertArgs args, const In* __restrict__ in, Out* __restrict__ out,
                   uint8_t* __restrict__ flags, size_t n, const uint32_t* __restrict__ rbits) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const Converted r = convert_code(args.from, args.to, in[i], args.spec, rbits ? rbits[i] : 0u);
    out[i] = static_cast<Out>(r.code);
    if (flags) flags[i] = r.flags;
  }
}

template <typename In, typename Out>
void launch(const ConvertArgs& args, const void* in, void* out, uint8_t* flags, size_t n,
            const uint32_t* rbits, int grid, cudaStream_t stream) {
  convert_kernel<In, Out><<<grid, kConvertBlockSize, 0, stream>>>(
      args, static_cast<const In*>(in), static_cast<Out*>(out), flags, n, rbits);
}

template <typename In>
void launch_to(const ConvertArgs& args, const void* in, void* out, uint8_t* flags, size_t n,
               const uint32_t* rbits, int grid, cudaStream_t stream) {
  switch (args.to.storage_bytes()) {
    case 1: launch<In, uint8_t>(args, in, out, flags, n, rbits, grid, stream); break;
    case 2: launch<In, uint16_t>(args, in, out, flags, n, rbits, grid, stream); break;
    case 4: launch<In, uint32_t>(args, in, out, flags, n, rbits, grid, stream); break;
    default: launch<In, uint64_t>(args, in, out, flags, n, rbits, grid, stream); break;
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

// Device buffers of convert_plumb, one set per device, kept between calls and
// only ever grown. Never freed: freeing at exit would race the CUDA runtime's
// own teardown.
struct Buffer {
  void* ptr = nullptr;
  size_t capacity = 0;
};
struct DeviceCache {
  std::mutex mutex;
  cudaStream_t stream = nullptr;
  bool stream_made = false;
  Buffer in, out, flags, rbits;
};
DeviceCache* device_cache(int device) {
  static DeviceCache* caches = new DeviceCache[kMaxDevices];
  return device >= 0 && device < kMaxDevices ? &caches[device] : nullptr;
}

bool check(cudaError_t e, const std::string& call, std::string* message) {
  if (e == cudaSuccess) return true;
  if (message)
    *message = "cuda_plumb: " + call + " failed: " + cudaGetErrorName(e) + ": " +
               cudaGetErrorString(e);
  (void)cudaGetLastError();  // clear a non-sticky error for the next call
  return false;
}

bool ensure(Buffer& b, size_t bytes, const char* name, std::string* message) {
  if (b.capacity >= bytes) return true;
  if (b.ptr) {
    const cudaError_t e = cudaFree(b.ptr);
    b.ptr = nullptr;
    b.capacity = 0;
    if (!check(e, std::string("cudaFree(") + name + ")", message)) return false;
  }
  size_t capacity = size_t{1} << 16;  // grow geometrically: few reallocations
  while (capacity < bytes) capacity *= 2;
  if (!check(cudaMalloc(&b.ptr, capacity),
             std::string("cudaMalloc(") + name + ", " + std::to_string(capacity) + " bytes)",
             message)) {
    b.ptr = nullptr;
    return false;
  }
  b.capacity = capacity;
  return true;
}

}  // namespace

int convert_grid_size(size_t n) {
  int sms = 0;
  if (n == 0 || sm_count(&sms) != cudaSuccess) return 0;
  return grid_for(n, sms);
}

cudaError_t convert_device(const ConvertArgs& args, const void* d_in, void* d_out, uint8_t* d_flags,
                           size_t n, const uint32_t* d_rbits, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  if (!d_in || !d_out) return cudaErrorInvalidValue;
  int sms = 0;
  const cudaError_t e = sm_count(&sms);
  if (e != cudaSuccess) return e;
  const int grid = grid_for(n, sms);
  switch (args.from.storage_bytes()) {
    case 1: launch_to<uint8_t>(args, d_in, d_out, d_flags, n, d_rbits, grid, stream); break;
    case 2: launch_to<uint16_t>(args, d_in, d_out, d_flags, n, d_rbits, grid, stream); break;
    case 4: launch_to<uint32_t>(args, d_in, d_out, d_flags, n, d_rbits, grid, stream); break;
    default: launch_to<uint64_t>(args, d_in, d_out, d_flags, n, d_rbits, grid, stream); break;
  }
  return cudaGetLastError();
}

PLUMB_DECLARE_CONVERT_FN(convert_plumb) {
  if (cuda_device_count() == 0) {
    if (message) *message = "no CUDA device";
    return KernelStatus::error;
  }
  if (n == 0) return KernelStatus::ok;
  if (!in || !out) {
    if (message) *message = "cuda_plumb: null input or output array";
    return KernelStatus::error;
  }
  int device = 0;
  if (!check(cudaGetDevice(&device), "cudaGetDevice", message)) return KernelStatus::error;
  DeviceCache* cache = device_cache(device);
  if (!cache) {
    if (message) *message = "cuda_plumb: device " + std::to_string(device) + " is beyond the cache";
    return KernelStatus::error;
  }
  std::lock_guard<std::mutex> lock(cache->mutex);
  if (!cache->stream_made) {
    if (!check(cudaStreamCreateWithFlags(&cache->stream, cudaStreamNonBlocking),
               "cudaStreamCreateWithFlags", message))
      return KernelStatus::error;
    cache->stream_made = true;
  }
  cudaStream_t stream = cache->stream;

  const size_t in_bytes = n * static_cast<size_t>(args.from.storage_bytes());
  const size_t out_bytes = n * static_cast<size_t>(args.to.storage_bytes());
  if (!ensure(cache->in, in_bytes, "input codes", message) ||
      !ensure(cache->out, out_bytes, "output codes", message) ||
      (flags && !ensure(cache->flags, n, "flags", message)) ||
      (rbits && !ensure(cache->rbits, n * sizeof(uint32_t), "rbits", message)))
    return KernelStatus::error;

  if (!check(cudaMemcpyAsync(cache->in.ptr, in, in_bytes, cudaMemcpyHostToDevice, stream),
             "cudaMemcpyAsync(input codes, host to device)", message))
    return KernelStatus::error;
  if (rbits && !check(cudaMemcpyAsync(cache->rbits.ptr, rbits, n * sizeof(uint32_t),
                                      cudaMemcpyHostToDevice, stream),
                      "cudaMemcpyAsync(rbits, host to device)", message))
    return KernelStatus::error;
  uint8_t* d_flags = flags ? static_cast<uint8_t*>(cache->flags.ptr) : nullptr;
  const uint32_t* d_rbits = rbits ? static_cast<const uint32_t*>(cache->rbits.ptr) : nullptr;
  if (!check(convert_device(args, cache->in.ptr, cache->out.ptr, d_flags, n, d_rbits, stream),
             "convert_kernel launch", message))
    return KernelStatus::error;
  if (!check(cudaMemcpyAsync(out, cache->out.ptr, out_bytes, cudaMemcpyDeviceToHost, stream),
             "cudaMemcpyAsync(output codes, device to host)", message))
    return KernelStatus::error;
  if (flags && !check(cudaMemcpyAsync(flags, d_flags, n, cudaMemcpyDeviceToHost, stream),
                      "cudaMemcpyAsync(flags, device to host)", message))
    return KernelStatus::error;
  if (!check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", message))
    return KernelStatus::error;
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda
