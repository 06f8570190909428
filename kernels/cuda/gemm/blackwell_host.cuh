// Host side shared by the native Blackwell block-scaled GEMM kernels
// (blackwell_sm120_block_mma.cu, blackwell_sm100_block_mma.cu): what they
// refuse (operand kind, format, a GPU of another compute capability) and the
// staging of host arrays for `fn`. Arch-specific cubins (sm_100a, sm_120a) run
// only on exactly that compute capability, so the check is for major.minor.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "plumb/formats/block_names.hpp"
#include "plumb/kernels/blackwell_block_mma.hpp"
#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::kernels::cuda::blackwell_host {

struct Target {
  const char* kernel;  // "cuda_sm120_block_mma"
  int major, minor;    // the compute capability the arch-specific cubin runs on
  const char* what;    // "sm_120 (consumer Blackwell)"
};

inline bool failed(const Target& t, cudaError_t e, const char* call, std::string* message) {
  if (e == cudaSuccess) return false;
  if (message) *message = std::string(t.kernel) + ": " + call + ": " + cudaGetErrorString(e);
  return true;
}

// ok with *kind set, or not_supported / error with a message.
inline KernelStatus precheck(const Target& t, const GemmArgs& args, blackwell::MmaKind* kind,
                             std::string* message) {
  if (args.kind != GemmKind::block) {
    if (message) *message = std::string(t.kernel) + " takes block operands only, not " + gemm_kind_name(args.kind);
    return KernelStatus::not_supported;
  }
  *kind = blackwell::mma_kind_for(args.format);
  if (*kind == blackwell::MmaKind::none) {
    if (message)
      *message = std::string(t.kernel) + ": no block-scaled MMA for " + block_format_name(args.format) +
                 " (supported: mxfp8_e4m3, mxfp8_e5m2, mxfp4, nvfp4)";
    return KernelStatus::not_supported;
  }
  if (args.m == 0 || args.n == 0 || args.k == 0) {
    if (message) *message = std::string(t.kernel) + ": M, N and K must be >= 1";
    return KernelStatus::error;
  }
  int device = 0, major = 0, minor = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) {
    (void)cudaGetLastError();
    if (message) *message = std::string(t.kernel) + ": needs " + t.what + "; no usable CUDA device";
    return KernelStatus::not_supported;
  }
  if (major != t.major || minor != t.minor) {
    if (message)
      *message = std::string(t.kernel) + ": needs " + t.what + "; this GPU is sm_" + std::to_string(major) +
                 std::to_string(minor);
    return KernelStatus::not_supported;
  }
  return KernelStatus::ok;
}

inline float inverse_tensor_scale(const GemmArgs& args, bool a) {
  return blackwell::inverse_tensor_scale(args.format, a ? args.a_tensor_scale : args.b_tensor_scale);
}

// Device buffers freed on every path.
struct DeviceBuffers {
  void* p[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  ~DeviceBuffers() {
    for (void* q : p) cudaFree(q);
  }
};

// One launcher per MmaKind: the kernel template instantiated for it.
using KindLaunch = void (*)(const GemmArgs& device_args, float g_a, float g_b, float* c, cudaStream_t stream);
struct KindLaunches {
  KindLaunch mxf8f6f4_e4m3, mxf8f6f4_e5m2, mxf4, mxf4nvf4;
};

// 1048560 -> "1,048,560".
inline std::string with_thousands(size_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// The `launch` of both kernels on device arrays: the precheck, the grid's M
// limit (gridDim.y <= 65535 tiles of tile_m rows), the tensor scales, the
// kind's launcher, the launch error.
inline KernelStatus launch_device(const Target& t, const GemmArgs& args, size_t tile_m, const KindLaunches& l,
                                  float* c_f32, void* stream, std::string* message) {
  blackwell::MmaKind kind = blackwell::MmaKind::none;
  if (const KernelStatus st = precheck(t, args, &kind, message); st != KernelStatus::ok) return st;
  if (args.m > size_t{65535} * tile_m) {
    if (message) *message = std::string(t.kernel) + ": M > " + with_thousands(65535 * tile_m) + " does not fit one grid";
    return KernelStatus::error;
  }
  const KindLaunch launch = kind == blackwell::MmaKind::mxf8f6f4_e4m3   ? l.mxf8f6f4_e4m3
                            : kind == blackwell::MmaKind::mxf8f6f4_e5m2 ? l.mxf8f6f4_e5m2
                            : kind == blackwell::MmaKind::mxf4          ? l.mxf4
                                                                        : l.mxf4nvf4;
  launch(args, inverse_tensor_scale(args, true), inverse_tensor_scale(args, false), c_f32,
         static_cast<cudaStream_t>(stream));
  if (failed(t, cudaGetLastError(), "kernel launch", message)) return KernelStatus::error;
  return KernelStatus::ok;
}

// `fn` on host arrays: the precheck (nothing is staged for a refused call),
// then A, B and their scales staged, `launch` run on the device copies
// (stream 0), C copied back.
template <typename Launch>
KernelStatus run_on_host_arrays(const Target& t, const GemmArgs& args, float* c_f32, std::string* message,
                                Launch launch) {
  blackwell::MmaKind kind = blackwell::MmaKind::none;
  if (const KernelStatus st = precheck(t, args, &kind, message); st != KernelStatus::ok) return st;
  const size_t bs = static_cast<size_t>(args.format.block_size), nb = (args.k + bs - 1) / bs;
  const size_t sizes[5] = {args.m * args.k, args.m * nb, args.n * args.k, args.n * nb, args.m * args.n * sizeof(float)};
  const void* host[4] = {args.a_elements, args.a_scales, args.b_elements, args.b_scales};
  DeviceBuffers d;
  for (int i = 0; i < 5; ++i)
    if (failed(t, cudaMalloc(&d.p[i], sizes[i]), "cudaMalloc", message)) return KernelStatus::error;
  for (int i = 0; i < 4; ++i)
    if (failed(t, cudaMemcpy(d.p[i], host[i], sizes[i], cudaMemcpyHostToDevice), "cudaMemcpy to device", message))
      return KernelStatus::error;
  GemmArgs dev = args;
  dev.a_elements = static_cast<const uint8_t*>(d.p[0]);
  dev.a_scales = static_cast<const uint8_t*>(d.p[1]);
  dev.b_elements = static_cast<const uint8_t*>(d.p[2]);
  dev.b_scales = static_cast<const uint8_t*>(d.p[3]);
  const KernelStatus st = launch(dev, static_cast<float*>(d.p[4]), nullptr, nullptr, message);
  if (st != KernelStatus::ok) return st;
  if (failed(t, cudaDeviceSynchronize(), "kernel", message) ||
      failed(t, cudaMemcpy(c_f32, d.p[4], sizes[4], cudaMemcpyDeviceToHost), "cudaMemcpy to host", message))
    return KernelStatus::error;
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda::blackwell_host
