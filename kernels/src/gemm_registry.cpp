// The GEMM kernel registry: expands kernels/registry/gemm.inc.
#include <string>
#include <vector>

#include "plumb/kernels/gemm_kernel.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels {

const char* gemm_kind_name(GemmKind k) {
  switch (k) {
    case GemmKind::fp32: return "fp32";
    case GemmKind::int8: return "int8";
    case GemmKind::block: return "block";
    case GemmKind::bf16: return "bf16";
    case GemmKind::fp16: return "fp16";
    case GemmKind::fp8: return "fp8";
    default: return "fp8_blockwise";
  }
}

const std::vector<GemmKernel>& gemm_kernels() {
  static const std::vector<GemmKernel> list = {
#define PLUMB_GEMM_KERNEL(name, device, fn, planted, description) \
  GemmKernel{#name, Device::device, description, &fn, planted, nullptr, 24},
#include "registry/gemm.inc"
#undef PLUMB_GEMM_KERNEL
#if defined(PLUMB_HAVE_CUDA)
#define PLUMB_GEMM_CUDA_KERNEL(name, fn, launch, accumulator_bits, planted, description) \
  GemmKernel{#name, Device::cuda, description, &fn, planted, &launch, accumulator_bits},
#include "registry/gemm_cuda.inc"
#undef PLUMB_GEMM_CUDA_KERNEL
#endif
  };
  return list;
}

const GemmKernel* find_gemm_kernel(const std::string& name) {
  for (const auto& k : gemm_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace plumb::kernels
