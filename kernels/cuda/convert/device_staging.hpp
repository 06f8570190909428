// cuda kernels: running a device-pointer conversion as a kernel under test on
// host arrays. One staging path (per-device buffers kept between calls and
// only grown, one stream, copies in and out, every CUDA call checked) shared
// by every CUDA conversion kernel of the registry.
#pragma once

#include <cuda_runtime.h>

#include <functional>
#include <string>

#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels::cuda {

// Launches a conversion on device arrays into `stream` (does not wait).
using DeviceConvert = cudaError_t (*)(const ConvertArgs& args, const void* d_in, void* d_out,
                                      uint8_t* d_flags, size_t n, const uint32_t* d_rbits,
                                      cudaStream_t stream);

// Copies the host arrays to the device, runs `launch`, copies codes (and
// flags) back and waits. Error messages start with `kernel_name`.
KernelStatus convert_host_arrays(const char* kernel_name, DeviceConvert launch,
                                 const ConvertArgs& args, const void* in, void* out,
                                 uint8_t* flags, size_t n, const uint32_t* rbits,
                                 std::string* message);

// The same for a launch that needs more than DeviceConvert's arguments (a
// seed, a plan): it gets the device arrays (d_flags / d_rbits null when the
// host's are) and the stream.
using DeviceLaunch = std::function<cudaError_t(const void* d_in, void* d_out, uint8_t* d_flags,
                                               const uint32_t* d_rbits, cudaStream_t stream)>;
KernelStatus run_on_host_arrays(const char* kernel_name, const DeviceLaunch& launch,
                                const ConvertArgs& args, const void* in, void* out,
                                uint8_t* flags, size_t n, const uint32_t* rbits,
                                std::string* message);

}  // namespace plumb::kernels::cuda
