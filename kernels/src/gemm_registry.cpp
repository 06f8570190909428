// The GEMM kernel registry: expands kernels/registry/gemm.inc.
#include <string>
#include <vector>

#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::kernels {

const char* gemm_kind_name(GemmKind k) {
  switch (k) {
    case GemmKind::fp32: return "fp32";
    case GemmKind::int8: return "int8";
    default: return "block";
  }
}

const std::vector<GemmKernel>& gemm_kernels() {
  static const std::vector<GemmKernel> list = {
#define PLUMB_GEMM_KERNEL(name, device, fn, planted, description) \
  GemmKernel{#name, Device::device, description, &fn, planted},
#include "registry/gemm.inc"
#undef PLUMB_GEMM_KERNEL
  };
  return list;
}

const GemmKernel* find_gemm_kernel(const std::string& name) {
  for (const auto& k : gemm_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace plumb::kernels
