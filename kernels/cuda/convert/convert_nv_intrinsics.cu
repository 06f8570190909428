// cuda_nv_intrinsics: NVIDIA's conversion intrinsics run in device code as a
// kernel under test, one thread per element in a grid-stride loop. The plan
// (which intrinsic, which saturation and rounding argument) is chosen on the
// host per call (nv_intrinsics.cuh); combinations NVIDIA does not offer are
// not_supported. The suites judge it by docs/VENDOR_DIFFERENCES.md's classes
// (Judged::cuda_vendor), since its results differ from plumb's on NaNs,
// infinities and negative ue8m0 inputs by NVIDIA's design.
#include <cuda_runtime.h>

#include <string>

#include "device_staging.hpp"
#include "nv_intrinsics.cuh"
#include "plumb/kernels/convert_kernels_decl.hpp"
#include "plumb/kernels/cuda_convert.hpp"

namespace plumb::kernels::cuda {
namespace {

template <typename In, typename Out>
__global__ void __launch_bounds__(kConvertBlockSize)
    nv_intrinsics_kernel(const NvPlan plan, const In* __restrict__ in, Out* __restrict__ out,
                         uint8_t* __restrict__ flags, size_t n) {
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  for (size_t i = static_cast<size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    out[i] = static_cast<Out>(nv_apply(plan, in[i]));
    if (flags) flags[i] = 0;  // the intrinsics report no flags
  }
}

template <typename In, typename Out>
cudaError_t launch(const NvPlan& plan, const void* in, void* out, uint8_t* flags, size_t n, cudaStream_t stream) {
  const int grid = convert_grid_size(n);
  if (grid <= 0) return cudaErrorInvalidConfiguration;
  nv_intrinsics_kernel<In, Out><<<grid, kConvertBlockSize, 0, stream>>>(
      plan, static_cast<const In*>(in), static_cast<Out*>(out), flags, n);
  return cudaGetLastError();
}

}  // namespace

cudaError_t nv_intrinsics_device(const ConvertArgs& args, const void* d_in, void* d_out, uint8_t* d_flags,
                                 size_t n, const uint32_t* /*d_rbits*/, cudaStream_t stream) {
  NvPlan plan;
  if (!make_nv_plan(args, plan, nullptr)) return cudaErrorNotSupported;
  if (n == 0) return cudaSuccess;
  if (!d_in || !d_out) return cudaErrorInvalidValue;
  const int in_bytes = args.from.storage_bytes(), out_bytes = args.to.storage_bytes();
  // The (source, target) storage pairs that the plans produce.
  if (in_bytes == 4 && out_bytes == 1) return launch<uint32_t, uint8_t>(plan, d_in, d_out, d_flags, n, stream);
  if (in_bytes == 4 && out_bytes == 2) return launch<uint32_t, uint16_t>(plan, d_in, d_out, d_flags, n, stream);
  if (in_bytes == 8 && out_bytes == 1) return launch<uint64_t, uint8_t>(plan, d_in, d_out, d_flags, n, stream);
  if (in_bytes == 8 && out_bytes == 2) return launch<uint64_t, uint16_t>(plan, d_in, d_out, d_flags, n, stream);
  if (in_bytes == 2 && out_bytes == 1) return launch<uint16_t, uint8_t>(plan, d_in, d_out, d_flags, n, stream);
  if (in_bytes == 2 && out_bytes == 4) return launch<uint16_t, uint32_t>(plan, d_in, d_out, d_flags, n, stream);
  if (in_bytes == 1 && out_bytes == 2) return launch<uint8_t, uint16_t>(plan, d_in, d_out, d_flags, n, stream);
  return cudaErrorNotSupported;  // no plan has these storage sizes
}

PLUMB_DECLARE_CONVERT_FN(convert_nv_intrinsics) {
  NvPlan plan;
  if (!make_nv_plan(args, plan, message)) return KernelStatus::not_supported;
  return convert_host_arrays("cuda_nv_intrinsics", &nv_intrinsics_device, args, in, out, flags, n, rbits,
                             message);
}

}  // namespace plumb::kernels::cuda
