// The L-Mul kernel registry: expands kernels/registry/lmul*.inc.
#include <string>
#include <vector>

#include "plumb/kernels/lmul_kernel.hpp"
#include "plumb/kernels/lmul_kernels_decl.hpp"

namespace plumb::kernels {

const std::vector<LmulKernel>& lmul_kernels() {
  static const std::vector<LmulKernel> list = {
#define PLUMB_LMUL_KERNEL(name, device, elementwise, dot, gemm, planted, description) \
  LmulKernel{#name, Device::device, description, &elementwise, &dot, &gemm, planted},
#include "registry/lmul.inc"
#if defined(PLUMB_HAVE_CUDA)
#include "registry/lmul_cuda.inc"
#endif
#undef PLUMB_LMUL_KERNEL
  };
  return list;
}

const LmulKernel* find_lmul_kernel(const std::string& name) {
  for (const auto& k : lmul_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace plumb::kernels
