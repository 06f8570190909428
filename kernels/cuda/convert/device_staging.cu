// cuda kernels: the shared host-array staging path (see device_staging.hpp).
#include "device_staging.hpp"

#include <algorithm>
#include <mutex>
#include <string>

namespace plumb::kernels::cuda {
namespace {

constexpr int kMaxDevices = 64;

// Device buffers, one set per device, kept between calls and
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

bool check(const char* kernel, cudaError_t e, const std::string& call, std::string* message) {
  if (e == cudaSuccess) return true;
  if (message)
    *message = std::string(kernel) + ": " + call + " failed: " + cudaGetErrorName(e) + ": " +
               cudaGetErrorString(e);
  (void)cudaGetLastError();  // clear a non-sticky error for the next call
  return false;
}

bool ensure(const char* kernel, Buffer& b, size_t bytes, const char* name, std::string* message) {
  if (b.capacity >= bytes) return true;
  if (b.ptr) {
    const cudaError_t e = cudaFree(b.ptr);
    b.ptr = nullptr;
    b.capacity = 0;
    if (!check(kernel, e, std::string("cudaFree(") + name + ")", message)) return false;
  }
  size_t capacity = size_t{1} << 16;  // grow geometrically: few reallocations
  while (capacity < bytes) capacity *= 2;
  if (!check(kernel, cudaMalloc(&b.ptr, capacity),
             std::string("cudaMalloc(") + name + ", " + std::to_string(capacity) + " bytes)",
             message)) {
    b.ptr = nullptr;
    return false;
  }
  b.capacity = capacity;
  return true;
}

}  // namespace

KernelStatus convert_host_arrays(const char* kernel_name, DeviceConvert launch,
                                 const ConvertArgs& args, const void* in, void* out,
                                 uint8_t* flags, size_t n, const uint32_t* rbits,
                                 std::string* message) {
  return run_on_host_arrays(
      kernel_name,
      [&](const void* d_in, void* d_out, uint8_t* d_flags, const uint32_t* d_rbits, cudaStream_t stream) {
        return launch(args, d_in, d_out, d_flags, n, d_rbits, stream);
      },
      args, in, out, flags, n, rbits, message);
}

KernelStatus run_on_host_arrays(const char* kernel_name, const DeviceLaunch& launch,
                                const ConvertArgs& args, const void* in, void* out,
                                uint8_t* flags, size_t n, const uint32_t* rbits,
                                std::string* message) {
  if (cuda_device_count() == 0) {
    if (message) *message = "no CUDA device";
    return KernelStatus::error;
  }
  if (n == 0) return KernelStatus::ok;
  if (!in || !out) {
    if (message) *message = std::string(kernel_name) + ": null input or output array";
    return KernelStatus::error;
  }
  int device = 0;
  if (!check(kernel_name, cudaGetDevice(&device), "cudaGetDevice", message)) return KernelStatus::error;
  DeviceCache* cache = device_cache(device);
  if (!cache) {
    if (message) *message = std::string(kernel_name) + ": device " + std::to_string(device) + " is beyond the cache";
    return KernelStatus::error;
  }
  std::lock_guard<std::mutex> lock(cache->mutex);
  if (!cache->stream_made) {
    if (!check(kernel_name, cudaStreamCreateWithFlags(&cache->stream, cudaStreamNonBlocking),
               "cudaStreamCreateWithFlags", message))
      return KernelStatus::error;
    cache->stream_made = true;
  }
  cudaStream_t stream = cache->stream;

  const size_t in_bytes = n * static_cast<size_t>(args.from.storage_bytes());
  const size_t out_bytes = n * static_cast<size_t>(args.to.storage_bytes());
  if (!ensure(kernel_name, cache->in, in_bytes, "input codes", message) ||
      !ensure(kernel_name, cache->out, out_bytes, "output codes", message) ||
      (flags && !ensure(kernel_name, cache->flags, n, "flags", message)) ||
      (rbits && !ensure(kernel_name, cache->rbits, n * sizeof(uint32_t), "rbits", message)))
    return KernelStatus::error;

  if (!check(kernel_name, cudaMemcpyAsync(cache->in.ptr, in, in_bytes, cudaMemcpyHostToDevice, stream),
             "cudaMemcpyAsync(input codes, host to device)", message))
    return KernelStatus::error;
  if (rbits && !check(kernel_name, cudaMemcpyAsync(cache->rbits.ptr, rbits, n * sizeof(uint32_t),
                                      cudaMemcpyHostToDevice, stream),
                      "cudaMemcpyAsync(rbits, host to device)", message))
    return KernelStatus::error;
  uint8_t* d_flags = flags ? static_cast<uint8_t*>(cache->flags.ptr) : nullptr;
  const uint32_t* d_rbits = rbits ? static_cast<const uint32_t*>(cache->rbits.ptr) : nullptr;
  if (!check(kernel_name, launch(cache->in.ptr, cache->out.ptr, d_flags, d_rbits, stream),
             "conversion kernel launch", message))
    return KernelStatus::error;
  if (!check(kernel_name, cudaMemcpyAsync(out, cache->out.ptr, out_bytes, cudaMemcpyDeviceToHost, stream),
             "cudaMemcpyAsync(output codes, device to host)", message))
    return KernelStatus::error;
  if (flags && !check(kernel_name, cudaMemcpyAsync(flags, d_flags, n, cudaMemcpyDeviceToHost, stream),
                      "cudaMemcpyAsync(flags, device to host)", message))
    return KernelStatus::error;
  if (!check(kernel_name, cudaStreamSynchronize(stream), "cudaStreamSynchronize", message))
    return KernelStatus::error;
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda
